package dev.plugboard.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.support.Await;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The native providers' token calls leave through quarkus-oidc-client, with the client
 * authentication each provider is configured with, read at the peer: {@code acme} uses
 * {@code client_secret_basic}, {@code gmail} the default {@code client_secret_post}. The OIDC
 * client's HTTP stack (Vert.x WebClient) names itself in {@code User-Agent}; the guarded client sends
 * {@code Plugboard/<version>}.
 */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class NativeTokenCallsTest {

  @Inject TestDb db;
  @Inject CredentialService credentials;

  /** Connects {@code slug} and returns the connection id and the authorization code that was exchanged. */
  private static String[] connect(Member m, String slug) {
    String url =
        m.as()
            .body(Map.of("return_url", "/done"))
            .post("/v1/connections/oauth/native/" + slug + "/start")
            .then()
            .statusCode(200)
            .extract()
            .path("authorization_url");
    String redirect = Browser.consent(url);
    String code = Browser.query(redirect).get("code");
    Response cb = Browser.deliver(redirect);
    assertEquals(302, cb.statusCode(), cb.asString());
    Map<String, String> q = Browser.query(cb.header("Location"));
    assertEquals("success", q.get("status"), cb.header("Location"));
    return new String[] {q.get("connection_id"), code};
  }

  /** The one request to {@code path} whose form has {@code field=value}, as a form. */
  private static Sent sent(String path, String field, String value) {
    List<Sent> matching =
        OAuthPeers.wiremock.findAll(postRequestedFor(urlPathEqualTo(path))).stream()
            .map(Sent::of)
            .filter(s -> value.equals(s.form().get(field)))
            .toList();
    assertEquals(1, matching.size(), "one request to " + path + " with that " + field);
    return matching.get(0);
  }

  private record Sent(LoggedRequest request, Map<String, String> form) {
    static Sent of(LoggedRequest r) {
      return new Sent(r, Browser.query("http://form/?" + r.getBodyAsString()));
    }

    String header(String name) {
      return request.containsHeader(name) ? request.getHeader(name) : null;
    }
  }

  private static String basic(String id, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  private Tokens tokens(String id) {
    return QuarkusTransaction.requiringNew().call(() -> credentials.tokens(UUID.fromString(id)).orElseThrow());
  }

  private static void assertOidcClient(Sent s) {
    assertTrue(
        s.header("User-Agent").startsWith("Vert.x-WebClient"),
        "sent by quarkus-oidc-client's WebClient, not the guarded client: " + s.header("User-Agent"));
  }

  @Test
  void codeExchangeAndRefreshUseTheOidcClientWithClientSecretBasic() {
    Member m = Fixtures.newMember();
    String[] connected = connect(m, "acme");
    String id = connected[0];

    Sent exchange = sent("/acme/token", "code", connected[1]);
    assertOidcClient(exchange);
    assertEquals(basic(OAuthPeers.ACME_CLIENT_ID, OAuthPeers.ACME_CLIENT_SECRET), exchange.header("Authorization"));
    assertEquals("authorization_code", exchange.form().get("grant_type"));
    assertEquals("https://localhost/v1/connections/oauth/callback", exchange.form().get("redirect_uri"));
    assertEquals(86, exchange.form().get("code_verifier").length(), "the flow's PKCE verifier");
    assertFalse(exchange.form().containsKey("client_secret"), "the secret travels only in the Basic header");
    assertFalse(exchange.form().containsKey("resource"));

    Tokens before = tokens(id);
    assertNotNull(before.refreshToken());
    assertTrue(before.expiresAt().isAfter(java.time.Instant.now()), "expiry stored");
    assertTrue(before.scopes().contains("openid"), "granted scopes stored");
    db.expireAccessToken(id);
    NativeOAuthFlowTest.resolve(id);
    Sent refresh = sent("/acme/token", "refresh_token", before.refreshToken());
    assertOidcClient(refresh);
    assertEquals("refresh_token", refresh.form().get("grant_type"));
    assertEquals(basic(OAuthPeers.ACME_CLIENT_ID, OAuthPeers.ACME_CLIENT_SECRET), refresh.header("Authorization"));
    Tokens after = tokens(id);
    assertNotEquals(before.accessToken(), after.accessToken());
    assertNotEquals(before.refreshToken(), after.refreshToken(), "the rotated refresh token was stored");
  }

  @Test
  void codeExchangeUsesTheOidcClientWithClientSecretPost() {
    Member m = Fixtures.newMember();
    String[] connected = connect(m, "gmail");
    Sent exchange = sent("/default/token", "code", connected[1]);
    assertOidcClient(exchange);
    assertNull(exchange.header("Authorization"));
    assertEquals(OAuthPeers.CLIENT_ID, exchange.form().get("client_id"));
    assertEquals(OAuthPeers.CLIENT_SECRET, exchange.form().get("client_secret"));
    assertEquals("authorization_code", exchange.form().get("grant_type"));
  }

  @Test
  void anInvalidGrantInAServerErrorIsNotTakenForARevokedGrant() {
    Member m = Fixtures.newMember();
    String id = connect(m, "acme")[0];
    String refreshToken = tokens(id).refreshToken();
    OAuthPeers.wiremock.stubFor(
        post(urlPathEqualTo("/acme/token"))
            .withRequestBody(containing("refresh_token=" + refreshToken))
            .atPriority(1)
            .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
    db.expireAccessToken(id);
    assertTrue(NativeOAuthFlowTest.resolve(id).get("Authorization").toString().startsWith("Bearer "), "the stored token is still handed out");
    assertEquals(1, ((Number) db.tokenRow(id)[0]).intValue(), "a transient failure, backing off");
    m.as().get("/v1/connections/" + id).then().body("broken_at", nullValue());
  }

  @Test
  void deletingRevokesBothTokensThroughTheOidcClient() {
    Member m = Fixtures.newMember();
    String id = connect(m, "acme")[0];
    Tokens t = tokens(id);
    m.as().delete("/v1/connections/" + id).then().statusCode(200);
    Await.until(
        "both tokens were revoked at the provider",
        10,
        () ->
            OAuthPeers.wiremock.findAll(postRequestedFor(urlPathEqualTo("/acme/revoke"))).stream()
                    .map(Sent::of)
                    .filter(s -> t.refreshToken().equals(s.form().get("token")) || t.accessToken().equals(s.form().get("token")))
                    .count()
                == 2);
    Sent refresh = sent("/acme/revoke", "token", t.refreshToken());
    assertEquals("refresh_token", refresh.form().get("token_type_hint"));
    assertEquals(basic(OAuthPeers.ACME_CLIENT_ID, OAuthPeers.ACME_CLIENT_SECRET), refresh.header("Authorization"));
    assertOidcClient(refresh);
    Sent access = sent("/acme/revoke", "token", t.accessToken());
    assertEquals("access_token", access.form().get("token_type_hint"));
    assertOidcClient(access);
  }

  /** Deletes a fresh {@code acme} connection whose revocation answers {@code refresh} / {@code access}; the job once it was tried. */
  private Object[] revokedWith(int refresh, int access) {
    Member m = Fixtures.newMember();
    String id = connect(m, "acme")[0];
    Tokens t = tokens(id);
    stubRevocation(t.refreshToken(), refresh);
    stubRevocation(t.accessToken(), access);
    m.as().delete("/v1/connections/" + id).then().statusCode(200);
    Object[][] job = new Object[1][];
    Await.until("the revocation job's first attempt was recorded", 10, () -> (job[0] = db.revocationJob(id)) != null && (job[0][2] != null || !"pending".equals(job[0][0])));
    return job[0];
  }

  private static void stubRevocation(String token, int status) {
    OAuthPeers.wiremock.stubFor(
        post(urlPathEqualTo("/acme/revoke"))
            .withRequestBody(containing("token=" + token))
            .atPriority(1)
            .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(status == 200 ? "" : "{\"error\":\"x\"}")));
  }

  @Test
  void aServerThatCannotRevokeAccessTokensEndsTheJobOnceTheRefreshTokenIsRevoked() {
    Object[] job = revokedWith(200, 400); // RFC 7009 unsupported_token_type
    assertEquals("succeeded", job[0]);
    assertEquals(1, ((Number) job[1]).intValue());
  }

  @Test
  void aRefusalIsNotRetriedButAServerErrorIs() {
    Object[] refused = revokedWith(401, 401); // e.g. invalid_client: another try would be refused again
    assertEquals("failed", refused[0]);
    assertEquals(1, ((Number) refused[1]).intValue());
    assertEquals(401, ((Number) refused[2]).intValue());
    Object[] unavailable = revokedWith(503, 200);
    assertEquals("pending", unavailable[0], "a 5xx is retried on the outbox schedule");
    assertEquals(503, ((Number) unavailable[2]).intValue());
  }
}
