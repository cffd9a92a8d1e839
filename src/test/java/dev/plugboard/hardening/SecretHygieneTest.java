package dev.plugboard.hardening;

import dev.plugboard.support.Await;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.api.LogRedaction;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Plants unique secret values, drives every flow with them (success, errors, replays, resolve),
 * then scans every response body and everything this test JVM logged. Only resolve may return a
 * secret, and nothing may log one.
 */
@QuarkusTest
class SecretHygieneTest {

  private static final Path LOG_FILE = Path.of("target", "plugboard-test.log");
  private static final Pattern ANY_API_KEY = Pattern.compile("pb_[A-Za-z0-9_-]{43}");

  private final String secretHeader = "sk-planted-" + UUID.randomUUID();
  private final String secretHeader2 = "sk-planted-two-" + UUID.randomUUID();
  private final String tokenInBody = "tok-planted-" + UUID.randomUUID();
  private final String queryCode = "code-planted-" + UUID.randomUUID();
  private final String wrongKey = "pb_" + UUID.randomUUID().toString().replace("-", "") + "plantedWrongKey0";
  private final List<Response> responses = new ArrayList<>();

  private Response keep(Response r) {
    responses.add(r);
    return r;
  }

  @Test
  void noPlantedSecretReachesAResponseOrTheLog() throws Exception {
    Member m = Fixtures.newMember();
    String key = m.key();
    Map<String, Object> create =
        Map.of(
            "name", "hygiene",
            "server_url", "https://mcp.example.test/mcp",
            "provider", "user",
            "auth_method", "headers",
            "access_token", tokenInBody,
            "headers", Map.of("plaintext", Map.of("X-Team", "core"), "secret", Map.of("Authorization", "Bearer " + secretHeader, "X-Api-Key", secretHeader2)));
    String idem = UUID.randomUUID().toString();
    String id = keep(m.as().header("Idempotency-Key", idem).body(create).post("/v1/connections")).then().statusCode(201).extract().path("id");
    keep(m.as().header("Idempotency-Key", idem).body(create).post("/v1/connections")).then().statusCode(201);
    keep(m.as().get("/v1/connections/" + id)).then().statusCode(200);
    keep(m.as().get("/v1/connections?code=" + queryCode + "&state=" + queryCode)).then().statusCode(200);
    keep(m.as().get("/v1/connections/" + id + "/credentials")).then().statusCode(200).body("headers.Authorization", equalTo(""));
    // Errors around secrets: a value with CR, a wrong type, a secret in an unknown place.
    keep(m.as().body(Map.of("headers", Map.of("secret", Map.of("Authorization", "Bearer " + secretHeader + "\r\nX: y")))).patch("/v1/connections/" + id))
        .then().statusCode(400);
    keep(m.as().body("{\"headers\":{\"secret\":{\"Authorization\":[\"" + secretHeader + "\"]}}}").patch("/v1/connections/" + id)).then().statusCode(400);
    keep(m.as().body("{\"name\":\"" + secretHeader + "\"").post("/v1/connections")).then().statusCode(400);
    keep(m.as().body("{\"server_url\":\"" + secretHeader + "\",\"name\":\"x\",\"provider\":\"user\",\"auth_method\":\"url\"}").post("/v1/connections"))
        .then().statusCode(400);
    keep(m.as().header("Idempotency-Key", idem).body(Map.of("name", secretHeader)).post("/v1/connections")).then().statusCode(422);
    keep(m.as().body(Map.of("headers", Map.of("secret", Map.of("Authorization", ""), "plaintext", Map.of("X-Team", "core")))).patch("/v1/connections/" + id))
        .then().statusCode(200);
    // Wrong credentials of every kind.
    keep(RestAssured.given().header("Authorization", "Bearer " + wrongKey).get("/v1/connections")).then().statusCode(401);
    keep(RestAssured.given().header("Authorization", "Bearer " + secretHeader).get("/v1/connections")).then().statusCode(401);
    keep(RestAssured.given().header("Authorization", "Bearer " + secretHeader).post("/admin/v1/maintenance/run")).then().statusCode(401);
    keep(RestAssured.given().header("Authorization", "Bearer " + secretHeader).post("/internal/v1/connections/" + id + "/resolve")).then().statusCode(401);
    // Resolve is the one place a secret is returned (not kept for the scan), and it must not be logged.
    RestAssured.given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
        .then().statusCode(200).body("headers.Authorization", equalTo("Bearer " + secretHeader));
    keep(Fixtures.admin().post("/admin/v1/crypto/rotate")).then().statusCode(200);
    keep(m.as().delete("/v1/connections/" + id)).then().statusCode(200);

    // A careless log line anywhere is redacted too.
    Logger.getLogger("dev.plugboard.hygiene").infof(
        "calling upstream with Authorization: Bearer %s, x-api-key=%s, {\"access_token\":\"%s\"}, callback?code=%s&state=%s, key %s",
        secretHeader, secretHeader2, tokenInBody, queryCode, queryCode, key);

    List<String> planted = List.of(secretHeader, secretHeader2, tokenInBody, queryCode, wrongKey, key, Fixtures.INTERNAL_TOKEN);
    for (Response r : responses) {
      String body = r.asString();
      for (String s : planted) {
        assertFalse(body.contains(s), "a response body contains a planted secret: " + body);
      }
      r.headers().forEach(h -> planted.forEach(s -> assertFalse(h.getValue().contains(s), "response header " + h.getName())));
    }

    String log = awaitLog(LogRedaction.MASK);
    for (String s : planted) {
      assertFalse(log.contains(s), "the log contains a planted secret (" + s.substring(0, 6) + "...)");
    }
    Matcher keys = ANY_API_KEY.matcher(log);
    assertFalse(keys.find(), "the log contains an API key");
    assertTrue(log.contains("GET /v1/connections HTTP/1.1"), "the access log records paths without query strings");
    assertFalse(log.contains("/v1/connections?code="), "no query string in the access log");
  }

  /** The file handler writes asynchronously to the OS; poll until the redacted marker line is there. */
  private static String awaitLog(String marker) throws Exception {
    Await.until("the redacted line in the log file", 20, () -> readLog().contains("calling upstream with Authorization: Bearer " + marker));
    return readLog();
  }

  private static String readLog() {
    try {
      return Files.exists(LOG_FILE) ? Files.readString(LOG_FILE, StandardCharsets.UTF_8) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
