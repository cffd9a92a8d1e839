package dev.plugboard.connection;

import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConnectionCrudTest {

  @Inject Db db;

  @Test
  void createGetListDelete() {
    Member m = Fixtures.newMember();
    String id =
        m.as()
            .body(
                Map.of(
                    "name", "Linear",
                    "server_url", "https://mcp.linear.test/mcp",
                    "provider", "user",
                    "auth_method", "apikey",
                    "headers", Map.of("plaintext", Map.of("X-Team", "core"), "secret", Map.of("Authorization", "Bearer sk-1"))))
            .post("/v1/connections")
            .then()
            .statusCode(201)
            .header("X-Request-Id", notNullValue())
            .body("name", equalTo("Linear"))
            .body("type", equalTo("custom_mcp"))
            .body("provider", equalTo("user"))
            .body("user_id", equalTo(m.userId()))
            .body("team_id", equalTo(m.teamId()))
            .body("created_by", equalTo(m.userId()))
            .body("transport_type", equalTo("http"))
            .body("auth_method", equalTo("apikey"))
            .body("has_headers", equalTo(true))
            .body("has_oauth_tokens", equalTo(false))
            .body("shared", equalTo(false))
            .body("composio_mcp_id", nullValue())
            .body("created_at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"))
            .extract()
            .path("id");

    m.as().get("/v1/connections/" + id).then().statusCode(200).body("id", equalTo(id));
    m.as()
        .get("/v1/connections/" + id + "/credentials")
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("headers.X-Team", equalTo("core"))
        .body("headers.Authorization", equalTo(""));
    m.as()
        .get("/v1/connections")
        .then()
        .statusCode(200)
        .body("total", equalTo(1))
        .body("limit", equalTo(100))
        .body("offset", equalTo(0))
        .body("integrations[0].id", equalTo(id));
    m.as().delete("/v1/connections/" + id).then().statusCode(200).body("success", equalTo(true));
    m.as().get("/v1/connections/" + id).then().statusCode(404).body("error", equalTo("not_found"));
  }

  /** Reads (plain JDBC) and writes (the entity) build the same Connection, field for field. */
  @Test
  void readsAndWritesShowTheSameConnection() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("Same"));
    // Fields only other flows set: scopes, the broken marker, an icon.
    db.update(
        "UPDATE connections SET oauth_scopes = ARRAY['read', 'write'], broken_at = now(), broken_reason = 'invalid_grant',"
            + " icon_url = 'https://icons.test/i.png', integration_id = 'ca_1' WHERE id = ?",
        java.util.UUID.fromString(id));
    Map<String, Object> written =
        m.as().body(Map.of("name", "Same again")).patch("/v1/connections/" + id).then().statusCode(200).extract().jsonPath().getMap("");
    Map<String, Object> read = m.as().get("/v1/connections/" + id).then().statusCode(200).extract().jsonPath().getMap("");
    Map<String, Object> listed =
        m.as().get("/v1/connections").then().statusCode(200).extract().jsonPath().getMap("integrations[0]");
    assertEquals(written, read);
    assertEquals(written, listed);
    assertEquals(java.util.List.of("read", "write"), read.get("oauth_scopes"));
  }
}
