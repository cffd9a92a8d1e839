package dev.plugboard.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.support.Await;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Native providers end to end against mock-oauth2-server: start → consent → callback → resolve → refresh. */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class NativeOAuthFlowTest {

  @Inject TestDb db;
  @Inject CredentialService credentials;
  @Inject OAuthMaintenance maintenance;

  static String start(Member m, Map<String, Object> body) {
    return m.as().body(body).post("/v1/connections/oauth/native/gmail/start").then().statusCode(200).extract().path("authorization_url");
  }

  static Map<String, Object> resolve(String id) {
    return given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + id + "/resolve")
        .then()
        .statusCode(200)
        .extract()
        .path("headers");
  }

  /** Runs a full consent and returns the new connection's id. */
  static String connect(Member m) {
    Response cb = Browser.roundTrip(start(m, Map.of("return_url", "http://app.localhost/done?tab=1")));
    assertEquals(302, cb.statusCode(), cb.asString());
    Map<String, String> q = Browser.query(cb.header("Location"));
    assertEquals("success", q.get("status"));
    return q.get("connection_id");
  }

  static int tokenRequests() {
    return OAuthPeers.wiremock.findAll(postRequestedFor(urlPathEqualTo("/default/token"))).size();
  }

  @Test
  void startBuildsAnAuthorizationRequestWithPkceAndProviderExtras() {
    Member m = Fixtures.newMember();
    String url = start(m, Map.of());
    assertTrue(url.startsWith(OAuthPeers.asBase + "/default/authorize?"));
    Map<String, String> q = Browser.query(url);
    assertEquals("code", q.get("response_type"));
    assertEquals(OAuthPeers.CLIENT_ID, q.get("client_id"));
    assertEquals("https://localhost/v1/connections/oauth/callback", q.get("redirect_uri"));
    assertEquals("S256", q.get("code_challenge_method"));
    assertEquals(43, q.get("code_challenge").length());
    assertTrue(q.get("state").length() >= 43, "state carries at least 256 bits");
    assertEquals("openid email https://www.googleapis.com/auth/gmail.modify", q.get("scope"));
    assertEquals("offline", q.get("access_type"));
    assertEquals("consent", q.get("prompt"));
    assertFalse(q.containsKey("resource"));
    assertFalse(url.contains(OAuthPeers.CLIENT_SECRET));
  }

  @Test
  void consentCreatesARefreshableConnectionAndRotationIsPersisted() {
    Member m = Fixtures.newMember();
    int before = tokenRequests();
    String id = connect(m);
    assertEquals(before + 1, tokenRequests(), "one code exchange");
    m.as()
        .get("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("type", equalTo("gmail"))
        .body("provider", equalTo("native"))
        .body("name", equalTo("Gmail"))
        .body("auth_method", equalTo("oauth"))
        .body("has_oauth_tokens", equalTo(true))
        .body("oauth_provider", equalTo("gmail"))
        .body("oauth_scopes", hasItem("https://www.googleapis.com/auth/gmail.modify"))
        .body("server_url", nullValue())
        .body("user_id", equalTo(m.userId()))
        .body("broken_at", nullValue());

    String first = resolve(id).get("Authorization").toString();
    assertTrue(first.startsWith("Bearer ey"));
    assertEquals(before + 1, tokenRequests(), "a fresh token is not refreshed");

    Tokens old = QuarkusTransaction.requiringNew().call(() -> credentials.tokens(UUID.fromString(id)).orElseThrow());
    db.expireAccessToken(id);
    String second = resolve(id).get("Authorization").toString();
    assertNotEquals(first, second);
    assertEquals(before + 2, tokenRequests(), "one refresh");
    Tokens now = QuarkusTransaction.requiringNew().call(() -> credentials.tokens(UUID.fromString(id)).orElseThrow());
    assertNotEquals(old.refreshToken(), now.refreshToken(), "the rotated refresh token was stored");
    assertTrue(now.expiresAt().isAfter(old.expiresAt().minusSeconds(3600)));
    assertEquals(second, resolve(id).get("Authorization").toString());
  }

  @Test
  void twentyConcurrentResolvesOfAnExpiredTokenRefreshOnce() throws Exception {
    Member m = Fixtures.newMember();
    String id = connect(m);
    db.expireAccessToken(id);
    int before = tokenRequests();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/internal/v1/connections/" + id + "/resolve"))
            .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(pool.submit(() -> {
          go.await();
          return http.send(request, HttpResponse.BodyHandlers.ofString());
        }));
      }
      go.countDown();
      List<String> bodies = new ArrayList<>();
      for (Future<HttpResponse<String>> f : calls) {
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode(), r.body());
        bodies.add(r.body());
      }
      assertEquals(before + 1, tokenRequests(), "exactly one refresh reached the authorization server");
      assertEquals(1, bodies.stream().distinct().count(), "everyone got the same fresh token");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidGrantMarksBrokenAndReconnectRepairsInPlace() {
    Member m = Fixtures.newMember();
    String id = connect(m);
    String revoked = "revoked-" + UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(() -> {
          Tokens t = credentials.tokens(UUID.fromString(id)).orElseThrow();
          credentials.saveTokens(
              UUID.fromString(id),
              new Tokens(t.accessToken(), revoked, t.tokenType(), t.expiresAt(), t.scopes(), t.tokenEndpoint(),
                  t.revocationEndpoint(), t.clientId(), t.clientSecret(), t.resource()));
        });
    OAuthPeers.wiremock.stubFor(
        post(urlPathEqualTo("/default/token"))
            .withRequestBody(containing("refresh_token=" + revoked))
            .atPriority(1)
            .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}")));
    db.expireAccessToken(id);
    resolve(id);
    m.as()
        .get("/v1/connections/" + id)
        .then()
        .body("broken_at", notNullValue())
        .body("broken_reason", equalTo("refresh_failed: invalid_grant"))
        .body("has_oauth_tokens", equalTo(true));
    int before = tokenRequests();
    resolve(id);
    assertEquals(before, tokenRequests(), "a broken connection is not refreshed again");

    String url = start(m, Map.of("reconnect_instance_id", id, "return_url", "/connections"));
    Response cb = Browser.roundTrip(url);
    assertEquals(302, cb.statusCode());
    Map<String, String> q = Browser.query(cb.header("Location"));
    assertTrue(cb.header("Location").startsWith("http://localhost:3000/connections?"));
    assertEquals("success", q.get("status"));
    assertEquals(id, q.get("connection_id"), "repaired in place");
    m.as()
        .get("/v1/connections/" + id)
        .then()
        .body("broken_at", nullValue())
        .body("broken_reason", nullValue())
        .body("has_oauth_tokens", equalTo(true));
    m.as().get("/v1/connections").then().body("total", equalTo(1));
    assertTrue(resolve(id).get("Authorization").toString().startsWith("Bearer "));
  }

  @Test
  void transientRefreshFailureBacksOffWithoutBreaking() {
    Member m = Fixtures.newMember();
    String id = connect(m);
    String flaky = "flaky-" + UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(() -> {
          Tokens t = credentials.tokens(UUID.fromString(id)).orElseThrow();
          credentials.saveTokens(
              UUID.fromString(id),
              new Tokens(t.accessToken(), flaky, t.tokenType(), t.expiresAt(), t.scopes(), t.tokenEndpoint(),
                  t.revocationEndpoint(), t.clientId(), t.clientSecret(), t.resource()));
        });
    OAuthPeers.wiremock.stubFor(
        post(urlPathEqualTo("/default/token"))
            .withRequestBody(containing("refresh_token=" + flaky))
            .atPriority(1)
            .willReturn(aResponse().withStatus(503)));
    db.expireAccessToken(id);
    int before = tokenRequests();
    assertTrue(resolve(id).get("Authorization").toString().startsWith("Bearer "), "the stored token is still handed out");
    assertEquals(before + 1, tokenRequests());
    Object[] row = db.tokenRow(id);
    assertEquals(1, ((Number) row[0]).intValue());
    assertNotNull(row[1], "next refresh scheduled");
    resolve(id);
    assertEquals(before + 1, tokenRequests(), "backing off");
    m.as().get("/v1/connections/" + id).then().body("broken_at", nullValue());
  }

  @Test
  void deletingRevokesTheTokensOffTheRequestPath() {
    Member m = Fixtures.newMember();
    String id = connect(m);
    m.as().delete("/v1/connections/" + id).then().statusCode(200);
    Await.until(
        "the refresh token was revoked at the authorization server",
        10,
        () ->
            !OAuthPeers.wiremock
                .findAll(postRequestedFor(urlPathEqualTo("/default/revoke")).withRequestBody(containing("token_type_hint=refresh_token")))
                .isEmpty());
  }

  @Test
  void maintenanceRefreshesIdleConnectionsAndPurgesExpiredFlows() {
    Member m = Fixtures.newMember();
    String id = connect(m);
    start(m, Map.of()); // abandoned at the consent screen
    db.expireFlows(m.userId());
    db.expireAccessToken(id);
    OAuthMaintenance.Report report = maintenance.pass();
    assertTrue(report.purgedFlows() >= 2, "the used and the abandoned flow are gone");
    assertEquals(0, db.flows(m.userId()));
    assertTrue(report.checkedConnections() >= 1);
    Tokens t = QuarkusTransaction.requiringNew().call(() -> credentials.tokens(UUID.fromString(id)).orElseThrow());
    assertTrue(t.expiresAt().isAfter(java.time.Instant.now()), "refreshed while idle");
    int before = tokenRequests();
    resolve(id);
    assertEquals(before, tokenRequests(), "nothing left to refresh on use");
  }

  @Test
  void unknownAndUnconfiguredProvidersAre404() {
    Member m = Fixtures.newMember();
    m.as().body(Map.of()).post("/v1/connections/oauth/native/nosuch/start").then().statusCode(404).body("error", equalTo("not_found"));
    m.as().body(Map.of()).post("/v1/connections/oauth/native/outlook/start").then().statusCode(404);
    given().contentType("application/json").body(Map.of()).post("/v1/connections/oauth/native/gmail/start").then().statusCode(401);
  }
}
