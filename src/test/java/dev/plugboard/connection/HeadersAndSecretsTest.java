package dev.plugboard.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HeadersAndSecretsTest {

  @Inject Db db;

  static final String SECRET = "sk-live-" + UUID.randomUUID();

  String createWithHeaders(Member m) {
    return Fixtures.create(
        m,
        Map.of(
            "name", "Notion",
            "server_url", "https://mcp.notion.test/mcp",
            "provider", "user",
            "auth_method", "headers",
            "headers", Map.of("plaintext", Map.of("X-Workspace", "acme"), "secret", Map.of("Authorization", "Bearer " + SECRET, "X-Extra", "e1"))));
  }

  private Map<String, String> resolve(String id) {
    return given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + id + "/resolve")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getMap("headers", String.class, String.class);
  }

  @Test
  void secretsAreNeverReturnedAndEncryptedAtRest() {
    Member m = Fixtures.newMember();
    String id = createWithHeaders(m);
    String credentials = m.as().get("/v1/connections/" + id + "/credentials").then().statusCode(200).extract().asString();
    assertFalse(credentials.contains(SECRET));
    m.as()
        .get("/v1/connections/" + id + "/credentials")
        .then()
        .body("headers.X-Workspace", equalTo("acme"))
        .body("headers.Authorization", equalTo(""))
        .body("headers.X-Extra", equalTo(""));
    assertFalse(m.as().get("/v1/connections/" + id).asString().contains(SECRET));
    assertFalse(m.as().get("/v1/connections").asString().contains(SECRET));

    List<List<Object>> rows = db.query("select name, value, secret from connection_headers where connection_id = ?", UUID.fromString(id));
    assertEquals(3, rows.size());
    for (List<Object> row : rows) {
      String value = (String) row.get(1);
      assertFalse(value.contains(SECRET), "raw column holds the secret");
      if ((Boolean) row.get(2)) {
        assertTrue(value.matches("[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+"), "ciphertext is <key-id>:<base64>");
      } else {
        assertEquals("acme", value);
      }
    }
    assertEquals("Bearer " + SECRET, resolve(id).get("Authorization"));
  }

  @Test
  void ciphertextIsBoundToItsRow() {
    Member m = Fixtures.newMember();
    String a = createWithHeaders(m);
    String b = createWithHeaders(m);
    // Copy a's ciphertext into b's row: AES-GCM with AAD = row id must refuse it.
    db.update(
        "update connection_headers set value = (select value from connection_headers where connection_id = ? and name = 'Authorization')"
            + " where connection_id = ? and name = 'Authorization'",
        UUID.fromString(a),
        UUID.fromString(b));
    given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + b + "/resolve")
        .then()
        .statusCode(500)
        .body("error", equalTo("internal_error"))
        .body(not(containsString(SECRET)));
    assertEquals("Bearer " + SECRET, resolve(a).get("Authorization"));
  }

  @Test
  void patchReplacesTheHeaderSet() {
    Member m = Fixtures.newMember();
    String id = createWithHeaders(m);
    // "" keeps Authorization, X-Extra is left out (removed), a new plaintext header is added.
    m.as()
        .body(Map.of("headers", Map.of("plaintext", Map.of("X-Region", "eu"), "secret", Map.of("Authorization", ""))))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("has_headers", equalTo(true));
    m.as()
        .get("/v1/connections/" + id + "/credentials")
        .then()
        .body("headers.size()", equalTo(2))
        .body("headers.X-Region", equalTo("eu"))
        .body("headers.Authorization", equalTo(""));
    Map<String, String> resolved = resolve(id);
    assertEquals("Bearer " + SECRET, resolved.get("Authorization"));
    assertEquals(2, resolved.size());

    m.as()
        .body(Map.of("headers", Map.of("secret", Map.of("Authorization", "Bearer new"))))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200);
    assertEquals(Map.of("Authorization", "Bearer new"), resolve(id));

    // "" for a secret that is not stored cannot keep anything.
    m.as()
        .body(Map.of("headers", Map.of("secret", Map.of("X-Never-Set", ""))))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"));

    m.as()
        .body(Map.of("headers", Map.of("plaintext", Map.of(), "secret", Map.of())))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(400)
        .body("message", containsString("headers"));
    m.as().body(Map.of("auth_method", "url", "headers", Map.of())).patch("/v1/connections/" + id).then().statusCode(200).body("has_headers", equalTo(false));
    assertEquals(Map.of(), resolve(id));
  }

  @Test
  void patchOtherFields() {
    Member m = Fixtures.newMember();
    String id = createWithHeaders(m);
    String before = m.as().get("/v1/connections/" + id).then().extract().path("updated_at");
    m.as()
        .body(Map.of("name", "Renamed", "server_url", "https://other.test/mcp", "composio_mcp_id", "srv_1"))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo("Renamed"))
        .body("server_url", equalTo("https://other.test/mcp"))
        .body("composio_mcp_id", equalTo("srv_1"))
        .body("updated_at", not(equalTo(before)));
    Map<String, Object> clear = new java.util.HashMap<>();
    clear.put("composio_mcp_id", null);
    m.as().body(clear).patch("/v1/connections/" + id).then().statusCode(200).body("composio_mcp_id", nullValue());
    m.as().body(Map.of("name", "")).patch("/v1/connections/" + id).then().statusCode(400).body("error", equalTo("validation_failed"));
    m.as().body(Map.of("server_url", "javascript:alert(1)")).patch("/v1/connections/" + id).then().statusCode(400);
    m.as().body(Map.of("auth_method", "oauth")).patch("/v1/connections/" + id).then().statusCode(400);
    m.as().body(Map.of("shared", "yes")).patch("/v1/connections/" + id).then().statusCode(400).body("error", equalTo("invalid_request"));
  }

  @Test
  void changingTheServerOfAnOauthConnectionDropsItsTokens() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("oauth-ish"));
    UUID uuid = UUID.fromString(id);
    db.update("update connections set auth_method = 'oauth' where id = ?", uuid);
    db.update(
        "insert into oauth_tokens (connection_id, access_token, updated_at) values (?, 'k:opaque', now())", uuid);
    m.as().get("/v1/connections/" + id).then().body("has_oauth_tokens", equalTo(true));
    m.as()
        .body(Map.of("server_url", "https://elsewhere.test/mcp"))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("has_oauth_tokens", equalTo(false))
        .body("broken_reason", equalTo("reauthorization_required"))
        .body("broken_at", notNullValue());
    assertEquals(0, db.count("select count(*) from oauth_tokens where connection_id = ?", uuid));
  }

  @Test
  void apikeyNeedsExactlyOneSecretHeader() {
    Member m = Fixtures.newMember();
    String id =
        Fixtures.create(
            m,
            Map.of(
                "name", "k",
                "server_url", "https://k.test/mcp",
                "provider", "user",
                "auth_method", "apikey",
                "headers", Map.of("secret", Map.of("X-Api-Key", "k1"))));
    m.as()
        .body(Map.of("headers", Map.of("secret", Map.of("X-Api-Key", "", "X-Second", "2"))))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"));
    assertEquals(Map.of("X-Api-Key", "k1"), resolve(id));
  }
}
