package dev.plugboard.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DeleteAndListTest {

  @Inject Db db;

  @Test
  void deleteRemovesCredentialsTokensAndTriggersTogether() {
    Member m = Fixtures.newMember();
    String id =
        Fixtures.create(
            m,
            Map.of(
                "name", "with triggers",
                "server_url", "https://t.test/mcp",
                "provider", "user",
                "auth_method", "apikey",
                "headers", Map.of("secret", Map.of("X-Api-Key", "k"))));
    UUID uuid = UUID.fromString(id);
    for (int i = 0; i < 3; i++) {
      db.update(
          "insert into triggers (id, agent_id, user_id, integration_slug, trigger_type, integration_instance_id, created_at, updated_at)"
              + " values (?, ?, ?, 'gmail', 'email_received', ?, now(), now())",
          UUID.randomUUID(),
          UUID.randomUUID(),
          UUID.fromString(m.userId()),
          uuid);
    }
    db.update("insert into oauth_tokens (connection_id, access_token, updated_at) values (?, 'k:x', now())", uuid);
    String other = Fixtures.create(m, Fixtures.mcpConnection("survivor"));
    db.update(
        "insert into triggers (id, agent_id, user_id, integration_slug, trigger_type, integration_instance_id, created_at, updated_at)"
            + " values (?, ?, ?, 'gmail', 'email_received', ?, now(), now())",
        UUID.randomUUID(),
        UUID.randomUUID(),
        UUID.fromString(m.userId()),
        UUID.fromString(other));

    m.as().delete("/v1/connections/" + id).then().statusCode(200).body("success", equalTo(true)).body("message", not(emptyOrNullString()));

    assertEquals(0, db.count("select count(*) from triggers where integration_instance_id = ?", uuid));
    assertEquals(0, db.count("select count(*) from connection_headers where connection_id = ?", uuid));
    assertEquals(0, db.count("select count(*) from oauth_tokens where connection_id = ?", uuid));
    assertEquals(0, db.count("select count(*) from connections where id = ?", uuid));
    assertEquals(1, db.count("select count(*) from triggers where integration_instance_id = ?", UUID.fromString(other)));
    m.as().delete("/v1/connections/" + id).then().statusCode(404);
  }

  @Test
  void paginationVisitsEveryRowExactlyOnceNewestFirst() {
    Member m = Fixtures.newMember();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      Map<String, Object> body = new java.util.HashMap<>(Fixtures.mcpConnection("c" + i));
      if (i % 3 == 0) {
        body.put("type", "linear");
      }
      created.add(Fixtures.create(m, body));
    }
    List<String> seen = new ArrayList<>();
    List<String> stamps = new ArrayList<>();
    for (int offset = 0; offset < 30; offset += 7) {
      var page =
          m.as()
              .get("/v1/connections?limit=7&offset=" + offset)
              .then()
              .statusCode(200)
              .body("total", equalTo(23))
              .body("limit", equalTo(7))
              .body("offset", equalTo(offset))
              .extract()
              .jsonPath();
      seen.addAll(page.getList("integrations.id", String.class));
      stamps.addAll(page.getList("integrations.created_at", String.class));
    }
    assertEquals(23, seen.size());
    assertEquals(new HashSet<>(created), Set.copyOf(seen));
    List<String> sorted = new ArrayList<>(stamps);
    sorted.sort(java.util.Comparator.reverseOrder());
    assertEquals(sorted, stamps, "newest first");
    assertEquals(created.get(created.size() - 1), seen.get(0));

    m.as().get("/v1/connections?type=linear").then().statusCode(200).body("total", equalTo(8)).body("integrations.type", everyItem(equalTo("linear")));
    m.as().get("/v1/connections?offset=1000").then().statusCode(200).body("total", equalTo(23)).body("integrations", empty());
  }

  @Test
  void internalResolveIsGuardedAndReturnsRealValues() {
    Member m = Fixtures.newMember();
    String id =
        Fixtures.create(
            m,
            Map.of(
                "name", "sse server",
                "server_url", "https://sse.test/sse",
                "provider", "user",
                "auth_method", "apikey",
                "transport_type", "sse",
                "headers", Map.of("secret", Map.of("X-Api-Key", "real-value"), "plaintext", Map.of("X-Org", "o"))));
    given().post("/internal/v1/connections/" + id + "/resolve").then().statusCode(401).body("error", equalTo("invalid_token"));
    given().header("Authorization", "Bearer " + m.key()).post("/internal/v1/connections/" + id + "/resolve").then().statusCode(401);
    given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + id + "/resolve")
        .then()
        .statusCode(200)
        .body("server_url", equalTo("https://sse.test/sse"))
        .body("transport_type", equalTo("sse"))
        .body("headers.X-Api-Key", equalTo("real-value"))
        .body("headers.X-Org", equalTo("o"));
    given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + UUID.randomUUID() + "/resolve")
        .then()
        .statusCode(404)
        .body("error", equalTo("not_found"));
  }
}
