package dev.plugboard.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every error leaves as exactly {error, message}; every response carries X-Request-Id. */
@QuarkusTest
class ErrorEnvelopeTest {

  Member m;

  @BeforeEach
  void member() {
    m = Fixtures.newMember();
  }

  private static void envelope(io.restassured.response.ValidatableResponse r, int status, String code) {
    r.statusCode(status)
        .contentType(ContentType.JSON)
        .header("X-Request-Id", not(emptyOrNullString()))
        .body("error", equalTo(code))
        .body("message", not(emptyOrNullString()))
        .body("size()", equalTo(2));
  }

  @Test
  void unknownRouteIs404Envelope() {
    envelope(given().get("/no/such/route").then(), 404, "not_found");
    envelope(m.as().get("/v1/nothing-here").then(), 404, "not_found");
  }

  @Test
  void wrongMethodIs405() {
    envelope(m.as().body("{}").put("/v1/connections").then(), 405, "method_not_allowed");
  }

  @Test
  void wrongContentTypeIs415() {
    envelope(m.as().contentType("text/plain").body("x").post("/v1/connections").then(), 415, "unsupported_media_type");
  }

  @Test
  void bodyOverOneMebibyteIs413() {
    String big = "{\"name\":\"" + "a".repeat(1_100_000) + "\"}";
    envelope(m.as().body(big).post("/v1/connections").then(), 413, "payload_too_large");
  }

  @Test
  void malformedJsonIsInvalidRequest() {
    envelope(m.as().body("{bad").post("/v1/connections").then(), 400, "invalid_request");
    envelope(m.as().body("[1]").post("/v1/connections").then(), 400, "invalid_request");
    envelope(m.as().body("{\"name\":\"a\",\"name\":\"b\"}").post("/v1/connections").then(), 400, "invalid_request");
  }

  @Test
  void wrongJsonTypeIsInvalidRequestNamingTheField() {
    m.as()
        .body(Map.of("name", 5, "server_url", "https://x.test", "provider", "user", "auth_method", "url"))
        .post("/v1/connections")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"))
        .body("message", containsString("name"));
    m.as()
        .body(Map.of("name", "x", "server_url", "https://x.test", "provider", "user", "auth_method", true))
        .post("/v1/connections")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"))
        .body("message", containsString("auth_method"));
  }

  @Test
  void missingFieldsAreValidationFailedNamingTheField() {
    for (String field : new String[] {"name", "server_url", "provider", "auth_method"}) {
      Map<String, Object> body = new java.util.HashMap<>(Fixtures.mcpConnection("x"));
      body.remove(field);
      m.as()
          .body(body)
          .post("/v1/connections")
          .then()
          .statusCode(400)
          .body("error", equalTo("validation_failed"))
          .body("message", startsWith(field + ":"));
    }
    envelope(m.as().body("null").post("/v1/connections").then(), 400, "invalid_request");
    envelope(m.as().body("").post("/v1/connections").then(), 400, "invalid_request");
  }

  @Test
  void ruleViolationsAreValidationFailed() {
    Map<String, Object> base = Fixtures.mcpConnection("x");
    record Case(String field, Object value) {}
    for (Case c :
        new Case[] {
          new Case("name", ""),
          new Case("server_url", "ftp://x.test/"),
          new Case("server_url", "/relative"),
          new Case("server_url", "not a url"),
          new Case("provider", "composio"),
          new Case("auth_method", "magic"),
          new Case("auth_method", "oauth"),
          new Case("transport_type", "stdio"),
          new Case("custom_integration_id", "not-a-uuid"),
          new Case("type", "Has Spaces")
        }) {
      Map<String, Object> body = new java.util.HashMap<>(base);
      body.put(c.field(), c.value());
      m.as()
          .body(body)
          .post("/v1/connections")
          .then()
          .statusCode(400)
          .body("error", equalTo("validation_failed"))
          .body("message", startsWith(c.field()));
    }
  }

  @Test
  void oauthAuthMethodPointsToTheOauthStart() {
    Map<String, Object> body = new java.util.HashMap<>(Fixtures.mcpConnection("x"));
    body.put("auth_method", "oauth");
    m.as().body(body).post("/v1/connections").then().statusCode(400).body("message", containsString("/v1/connections/oauth/mcp/start"));
  }

  @Test
  void headerRules() {
    record Case(Map<String, Object> headers, String auth) {}
    for (Case c :
        new Case[] {
          new Case(Map.of("plaintext", Map.of("Bad Name", "v")), "headers"),
          new Case(Map.of("plaintext", Map.of("X-A", "a\r\nInjected: 1")), "headers"),
          new Case(Map.of("secret", Map.of("X-A", "a\nb")), "headers"),
          new Case(Map.of("plaintext", Map.of("X-A", "1"), "secret", Map.of("x-a", "2")), "headers"),
          new Case(Map.of(), "headers"),
          new Case(Map.of("plaintext", Map.of("X-Key", "k")), "apikey"),
          new Case(Map.of("secret", Map.of("A", "1", "B", "2")), "apikey"),
          new Case(Map.of("secret", Map.of("A", "")), "apikey")
        }) {
      Map<String, Object> body = new java.util.HashMap<>(Fixtures.mcpConnection("x"));
      body.put("auth_method", c.auth());
      body.put("headers", c.headers());
      m.as().body(body).post("/v1/connections").then().statusCode(400).body("error", equalTo("validation_failed"));
    }
  }

  @Test
  void limitAndOffsetOutOfRange() {
    for (String q : new String[] {"limit=0", "limit=101", "limit=abc", "offset=-1", "offset=1.5", "limit=1&limit=2"}) {
      envelope(m.as().get("/v1/connections?" + q).then(), 400, "validation_failed");
    }
  }

  @Test
  void nonUuidIdIs400() {
    envelope(m.as().get("/v1/connections/123").then(), 400, "validation_failed");
    envelope(m.as().delete("/v1/connections/zzz").then(), 400, "validation_failed");
  }

  @Test
  void requestIdIsEchoed() {
    m.as().header("X-Request-Id", "abc-123").get("/v1/connections").then().statusCode(200).header("X-Request-Id", "abc-123");
    given().header("X-Request-Id", "trace.7").get("/q/health/live").then().header("X-Request-Id", "trace.7");
  }

  @Test
  void unknownFieldsAreIgnored() {
    Map<String, Object> body = new java.util.HashMap<>(Fixtures.mcpConnection("x"));
    body.put("future_field", Map.of("a", 1));
    m.as().body(body).post("/v1/connections").then().statusCode(201);
  }
}
