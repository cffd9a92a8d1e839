package dev.plugboard.hardening;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(TightProfile.class)
class KeyRotationTest {

  private static Map<String, Object> apikeyConnection(String secret) {
    return Map.of(
        "name", "rotating",
        "server_url", "https://mcp.example.test/mcp",
        "provider", "user",
        "auth_method", "apikey",
        "headers", Map.of("secret", Map.of("Authorization", "Bearer " + secret)));
  }

  private static Map<String, Object> headerRow(String connectionId) {
    return Db.query("SELECT id, value FROM connection_headers WHERE connection_id = ?", UUID.fromString(connectionId)).get(0);
  }

  private static io.restassured.response.Response resolve(String id) {
    return RestAssured.given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + id + "/resolve");
  }

  private static long keyValues(JsonPath keys, String id) {
    List<Map<String, Object>> all = keys.getList("keys");
    return all.stream().filter(k -> id.equals(k.get("id"))).mapToLong(k -> ((Number) k.get("values")).longValue()).sum();
  }

  @Test
  void rowsUnderARetiredKeyAreReencryptedWithoutDowntime() throws Exception {
    Member m = Fixtures.newMember();
    String secret = "rot-" + UUID.randomUUID();
    String id = Fixtures.create(m, apikeyConnection(secret));
    Map<String, Object> row = headerRow(id);
    UUID headerId = (UUID) row.get("id");
    String aad = "connection_headers.value:" + headerId;
    assertTrue(((String) row.get("value")).startsWith("new:"), "new writes use the active key");

    // Rows written before the rotation: a header value and OAuth tokens under the old key.
    Db.update("UPDATE connection_headers SET value = ? WHERE id = ?", TestCrypto.encrypt("old", TightProfile.OLD_KEY, "Bearer " + secret, aad), headerId);
    UUID cid = UUID.fromString(id);
    Db.update(
        "INSERT INTO oauth_tokens (connection_id, access_token, refresh_token, client_secret, updated_at) VALUES (?, ?, ?, NULL, now())",
        cid,
        TestCrypto.encrypt("old", TightProfile.OLD_KEY, "access-" + secret, "oauth_tokens.access_token:" + cid),
        TestCrypto.encrypt("old", TightProfile.OLD_KEY, "refresh-" + secret, "oauth_tokens.refresh_token:" + cid));

    // The retired key still decrypts until no row uses it.
    resolve(id).then().statusCode(200).body("headers.Authorization", equalTo("Bearer " + secret));
    JsonPath before = Fixtures.admin().get("/admin/v1/crypto/keys").then().statusCode(200).body("active_key", equalTo("new")).extract().jsonPath();
    assertTrue(keyValues(before, "old") >= 3);

    JsonPath report = Fixtures.admin().post("/admin/v1/crypto/rotate").then().statusCode(200).extract().jsonPath();
    assertEquals("new", report.getString("active_key"));
    assertTrue(report.getLong("reencrypted.'connection_headers.value'") >= 1);
    assertTrue(report.getLong("reencrypted.'oauth_tokens.access_token'") >= 1);
    assertEquals(0, keyValues(report, "old"), "the old key is unused now and may be retired");

    String header = (String) headerRow(id).get("value");
    assertTrue(header.startsWith("new:"));
    assertEquals("Bearer " + secret, TestCrypto.decrypt(TightProfile.NEW_KEY, header, aad));
    Map<String, Object> tokens = Db.query("SELECT access_token, refresh_token FROM oauth_tokens WHERE connection_id = ?", cid).get(0);
    assertEquals("access-" + secret, TestCrypto.decrypt(TightProfile.NEW_KEY, (String) tokens.get("access_token"), "oauth_tokens.access_token:" + cid));
    assertEquals("refresh-" + secret, TestCrypto.decrypt(TightProfile.NEW_KEY, (String) tokens.get("refresh_token"), "oauth_tokens.refresh_token:" + cid));
    resolve(id).then().statusCode(200).body("headers.Authorization", equalTo("Bearer " + secret));

    // A second pass finds nothing of this connection to do: rotation is idempotent.
    Fixtures.admin().post("/admin/v1/crypto/rotate").then().statusCode(200);
    assertEquals(header, headerRow(id).get("value"));
  }

  @Test
  void aValueUnderAnUnknownKeyFailsLoudlyForThatRowOnly() throws Exception {
    Member m = Fixtures.newMember();
    String good = Fixtures.create(m, apikeyConnection("fine-" + UUID.randomUUID()));
    String bad = Fixtures.create(m, apikeyConnection("lost-" + UUID.randomUUID()));
    UUID badHeader = (UUID) headerRow(bad).get("id");
    byte[] unknownKey = new byte[32];
    new java.security.SecureRandom().nextBytes(unknownKey);
    String planted = TestCrypto.encrypt("gone", unknownKey, "Bearer x", "connection_headers.value:" + badHeader);
    Db.update("UPDATE connection_headers SET value = ? WHERE id = ?", planted, badHeader);

    resolve(bad)
        .then()
        .statusCode(500)
        .body("error", equalTo("internal_error"))
        .body("size()", equalTo(2))
        .body(not(containsString("Bearer")));
    resolve(good).then().statusCode(200);
    m.as().get("/v1/connections/" + bad + "/credentials").then().statusCode(200).body("headers.Authorization", equalTo(""));

    JsonPath report = Fixtures.admin().post("/admin/v1/crypto/rotate").then().statusCode(200).extract().jsonPath();
    assertTrue(report.getLong("failed.'connection_headers.value'") >= 1);
    assertEquals(planted, headerRow(bad).get("value"), "an undecryptable value is left as it is");
    List<Map<String, Object>> keys = report.getList("keys");
    assertTrue(keys.stream().anyMatch(k -> "gone".equals(k.get("id")) && Boolean.FALSE.equals(k.get("configured"))));
    resolve(good).then().statusCode(200);
  }
}
