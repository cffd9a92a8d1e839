package dev.plugboard.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.plugboard.support.Fixtures.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.support.Await;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.webhook.Receiver;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The webhook events of the OAuth engine (DESIGN §14), against mock-oauth2-server: created by the
 * callback, refresh_failed (transient and fatal), broken, reconnected; each signed (checked with the
 * official Standard Webhooks library) and free of tokens.
 */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class OAuthWebhookEventsTest {

  @Inject TestDb db;
  @Inject CredentialService credentials;

  @Test
  void theOAuthPathsSendTheirEventsSigned() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      Member m = Fixtures.newMember();
      String secret =
          admin().body(Map.of("url", receiver.url(), "organization_id", m.orgId())).post("/admin/v1/webhooks").then().statusCode(201).extract().path("secret");

      String flaky = NativeOAuthFlowTest.connect(m);
      Receiver.Hit created = await(receiver, "connection.created", flaky);
      assertEquals("oauth", created.json().at("/data/connection/auth_method").asText());
      assertTrue(created.json().at("/data/connection/has_oauth_tokens").asBoolean());

      // a transient failure: refresh_failed, not fatal, not broken
      String flakyToken = replaceRefreshToken(flaky, "flaky-");
      OAuthPeers.wiremock.stubFor(
          post(urlPathEqualTo("/default/token")).withRequestBody(containing("refresh_token=" + flakyToken)).atPriority(1).willReturn(aResponse().withStatus(503)));
      db.expireAccessToken(flaky);
      NativeOAuthFlowTest.resolve(flaky);
      Receiver.Hit transientFailure = await(receiver, "connection.refresh_failed", flaky);
      assertFalse(transientFailure.json().at("/data/fatal").asBoolean());
      assertEquals("token endpoint answered HTTP 503", transientFailure.json().at("/data/error").asText());

      // the grant is gone: refresh_failed (fatal) and broken; a reconnect repairs it
      String dead = NativeOAuthFlowTest.connect(m);
      String deadToken = replaceRefreshToken(dead, "revoked-");
      OAuthPeers.wiremock.stubFor(
          post(urlPathEqualTo("/default/token"))
              .withRequestBody(containing("refresh_token=" + deadToken))
              .atPriority(1)
              .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
      db.expireAccessToken(dead);
      NativeOAuthFlowTest.resolve(dead);
      Receiver.Hit fatal = await(receiver, "connection.refresh_failed", dead);
      assertTrue(fatal.json().at("/data/fatal").asBoolean());
      assertEquals("invalid_grant", fatal.json().at("/data/error").asText());
      Receiver.Hit broken = await(receiver, "connection.broken", dead);
      assertEquals("refresh_failed: invalid_grant", broken.json().at("/data/connection/broken_reason").asText());

      Response cb = Browser.roundTrip(NativeOAuthFlowTest.start(m, Map.of("reconnect_instance_id", dead, "return_url", "/connections")));
      assertEquals(302, cb.statusCode());
      Receiver.Hit reconnected = await(receiver, "connection.reconnected", dead);
      assertTrue(reconnected.json().at("/data/connection/broken_at").isNull());

      for (Receiver.Hit h : receiver.hits) {
        h.verify(secret);
        assertFalse(h.body().contains(flakyToken) || h.body().contains(deadToken) || h.body().contains("access_token"), "no token in " + h.body());
      }
      for (String id : List.of(flaky, dead)) {
        Tokens t = credentials.tokens(UUID.fromString(id)).orElseThrow();
        receiver.hits.forEach(h -> assertFalse(h.body().contains(t.accessToken()), "no access token in a body"));
      }
    }
  }

  static Receiver.Hit await(Receiver receiver, String type, String connectionId) {
    Await.until(type + " of " + connectionId, 20, () -> find(receiver, type, connectionId) != null);
    return find(receiver, type, connectionId);
  }

  private static Receiver.Hit find(Receiver receiver, String type, String connectionId) {
    return receiver.ofType(type).stream().filter(h -> connectionId.equals(h.json().at("/data/connection/id").asText())).findFirst().orElse(null);
  }

  private String replaceRefreshToken(String id, String prefix) {
    String token = prefix + UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(() -> {
          Tokens t = credentials.tokens(UUID.fromString(id)).orElseThrow();
          credentials.saveTokens(
              UUID.fromString(id),
              new Tokens(t.accessToken(), token, t.tokenType(), t.expiresAt(), t.scopes(), t.tokenEndpoint(),
                  t.revocationEndpoint(), t.clientId(), t.clientSecret(), t.resource()));
        });
    return token;
  }
}
