package dev.plugboard.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The callback and start refuse everything that could turn them against their users. */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class OAuthSecurityTest {

  @Inject TestDb db;

  static String start(Member m, Map<String, Object> body) {
    return m.as().body(body).post("/v1/connections/oauth/native/gmail/start").then().statusCode(200).extract().path("authorization_url");
  }

  static void assertErrorPage(Response r) {
    assertEquals(400, r.statusCode());
    assertTrue(r.contentType().startsWith("text/html"), r.contentType());
    assertTrue(r.asString().contains("invalid, expired or was already used"));
    assertEquals("no-store", r.header("Cache-Control"));
  }

  /** OAuthPeers sets plugboard.public-base-url at run time only: the served document follows it (api/ContractOpenApi). */
  @Test
  void theOpenApiServersAreThePublicBaseUrlOfThisDeployment() {
    given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).body("servers.url", contains("https://localhost"));
  }

  @Test
  void forgedMissingReplayedAndExpiredStatesCreateNothing() {
    Member m = Fixtures.newMember();
    assertErrorPage(given().redirects().follow(false).get("/v1/connections/oauth/callback?code=abc&state=forged"));
    assertErrorPage(given().redirects().follow(false).get("/v1/connections/oauth/callback?code=abc"));

    String redirect = Browser.consent(start(m, Map.of("return_url", "http://app.localhost/done")));
    assertEquals(302, Browser.deliver(redirect).statusCode());
    assertErrorPage(Browser.deliver(redirect)); // replay
    m.as().get("/v1/connections").then().body("total", equalTo(1));

    String late = Browser.consent(start(m, Map.of("return_url", "http://app.localhost/done")));
    db.expireFlows(m.userId());
    assertErrorPage(Browser.deliver(late));
    m.as().get("/v1/connections").then().body("total", equalTo(1));
  }

  @Test
  void openRedirectsAreRefusedBeforeAnyFlowExists() {
    Member m = Fixtures.newMember();
    for (String bad :
        new String[] {
          "https://evil.example/steal",
          "//evil.example/x",
          "/\\evil.example",
          "javascript:alert(1)",
          "http://app.localhost.evil.example/x",
          "https://user@app.localhost/x",
          "/ok\nLocation: x",
          "relative/path"
        }) {
      m.as()
          .body(Map.of("return_url", bad))
          .post("/v1/connections/oauth/native/gmail/start")
          .then()
          .statusCode(400)
          .body("error", equalTo("validation_failed"))
          .body("message", startsWith("return_url"));
      m.as()
          .body(Map.of("mcp_server_url", "http://127.0.0.1:1/mcp", "name", "x", "return_url", bad))
          .post("/v1/connections/oauth/mcp/start")
          .then()
          .statusCode(400)
          .body("message", startsWith("return_url"));
    }
    assertEquals(0, db.flows(m.userId()));
    start(m, Map.of("return_url", "/settings/connections"));
    start(m, Map.of("return_url", "https://APP.localhost:8443/x"));
    assertEquals(2, db.flows(m.userId()));
  }

  @Test
  void issuerMismatchAndAuthorizationErrorsGoBackAsErrors() {
    Member m = Fixtures.newMember();
    String redirect = Browser.consent(start(m, Map.of("return_url", "http://app.localhost/done")));
    Response r = Browser.deliver(redirect + "&iss=" + java.net.URLEncoder.encode("http://127.0.0.1:1/evil", java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(302, r.statusCode());
    assertEquals("http://app.localhost/done?status=error&error=issuer_mismatch", r.header("Location"));

    String good = Browser.consent(start(m, Map.of("return_url", "http://app.localhost/done")));
    Response ok = Browser.deliver(good + "&iss=" + java.net.URLEncoder.encode(OAuthPeers.asBase + "/default", java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("success", Browser.query(ok.header("Location")).get("status"));

    String url = start(m, Map.of("return_url", "http://app.localhost/done"));
    String state = Browser.query(url).get("state");
    Response denied =
        given().redirects().follow(false).get("/v1/connections/oauth/callback?error=access_denied&state=" + state);
    assertEquals("http://app.localhost/done?status=error&error=access_denied", denied.header("Location"));

    String odd = Browser.query(start(m, Map.of("return_url", "http://app.localhost/done"))).get("state");
    Response weird =
        given().redirects().follow(false).get("/v1/connections/oauth/callback?error=%3Cscript%3E&state=" + odd);
    assertEquals("http://app.localhost/done?status=error&error=server_error", weird.header("Location"));

    // The mock redeems any code; play an authorization server that refuses this one.
    OAuthPeers.wiremock.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.post(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/default/token"))
            .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("code=not-a-code"))
            .atPriority(1)
            .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
    String bad = Browser.query(start(m, Map.of("return_url", "http://app.localhost/done"))).get("state");
    Response exchange = given().redirects().follow(false).get("/v1/connections/oauth/callback?code=not-a-code&state=" + bad);
    assertEquals("http://app.localhost/done?status=error&error=token_exchange_failed", exchange.header("Location"));
    m.as().get("/v1/connections").then().body("total", equalTo(1));
  }

  @Test
  void reconnectTargetsMustBeWritableAndOfTheSameProvider() {
    Member m = Fixtures.newMember();
    Member other = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("plain"));
    other.as().body(Map.of("reconnect_instance_id", id)).post("/v1/connections/oauth/native/gmail/start").then().statusCode(404);
    m.as().body(Map.of("reconnect_instance_id", id)).post("/v1/connections/oauth/native/gmail/start").then().statusCode(400)
        .body("message", containsString("not a gmail connection"));
    m.as().body(Map.of("reconnect_instance_id", "nope")).post("/v1/connections/oauth/native/gmail/start").then().statusCode(400);
  }
}
