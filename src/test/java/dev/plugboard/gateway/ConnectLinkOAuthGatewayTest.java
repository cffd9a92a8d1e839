package dev.plugboard.gateway;

import static dev.plugboard.gateway.ConnectLinkGatewayTest.ECHO;
import static dev.plugboard.gateway.ConnectLinkGatewayTest.ELICITING;
import static dev.plugboard.gateway.ConnectLinkGatewayTest.elicitation;
import static dev.plugboard.gateway.ConnectLinkGatewayTest.endpoint;
import static dev.plugboard.gateway.ConnectLinkGatewayTest.open;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.gateway.ConnectLinkGatewayTest.Agent;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The whole loop for an OAuth connection: its refresh token is refused (invalid_grant), the agent's
 * tool call answers with a reconnect link, the person consents at the authorization server
 * (mock-oauth2-server as the native provider), and the agent's retry in the same session reaches the
 * MCP server with the new token.
 */
@QuarkusTest
@QuarkusTestResource(value = NativeProviderPeers.class, restrictToAnnotatedClass = true)
class ConnectLinkOAuthGatewayTest {

  @Inject Db db;
  @Inject CredentialService credentials;

  @Test
  void aRevokedGrantIsAuthorizedAgainThroughTheLinkAndTheSameSessionCarriesOn() throws Exception {
    GatewayPeers peers = NativeProviderPeers.peers;
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "Mail", "server_url", peers.base() + "/oauth/mcp", "provider", "user", "auth_method", "url"));
    UUID id = UUID.fromString(conn);
    // A native connection whose authorization server has revoked the grant behind its stale token (the
    // provider's configured token endpoint, NativeProviderPeers, refuses every refresh).
    db.update("UPDATE connections SET provider = 'native', type = 'gmail', oauth_provider = 'gmail', auth_method = 'oauth' WHERE id = ?", id);
    QuarkusTransaction.requiringNew()
        .run(() -> credentials.saveTokens(id, new Tokens("stale-" + UUID.randomUUID(), "refresh-" + UUID.randomUUID(), "Bearer", Instant.now().plus(1, ChronoUnit.HOURS), List.of("openid"), peers.revokedTokenEndpoint(), null, "gmail-client", null, null)));

    Agent agent = open(m.key(), endpoint(conn), ELICITING);
    Agent aggregate = open(m.key(), "/mcp/v1", ELICITING);
    JsonNode e = elicitation(agent.call(2, "tools/call", ECHO), 2);
    m.as().get("/v1/connections/" + conn).then().body("broken_reason", equalTo("refresh_failed: invalid_grant"));
    assertEquals(e.get("elicitationId").asText(), elicitation(aggregate.tool(3, "mail__echo", "{\"text\":\"hi\"}"), 3).get("elicitationId").asText());

    PersonAtPage.Visit visit = PersonAtPage.complete(e.get("url").asText(), Map.of());
    assertEquals(303, visit.statuses().get(1), "Continue sends the browser to the authorization server: " + visit);
    m.as().get("/v1/connect/links/" + e.get("elicitationId").asText()).then().statusCode(200).body("status", equalTo("completed")).body("connection_id", equalTo(conn));
    assertEquals(200, visit.statuses().get(visit.statuses().size() - 1), "the page that says it is done: " + visit);
    m.as().get("/v1/connections/" + conn).then().body("broken_at", nullValue()).body("slug", equalTo("mail")).body("has_oauth_tokens", equalTo(true));

    peers.seen.clear();
    assertEquals("echo: hi", agent.call(4, "tools/call", ECHO).at("/result/content/0/text").asText(), "the retry in the same session works");
    assertEquals("echo: hi", aggregate.tool(5, "mail__echo", "{\"text\":\"hi\"}").at("/result/content/0/text").asText());
    assertTrue(peers.seen.stream().filter(s -> s.path().equals("/oauth/mcp")).allMatch(s -> s.authorization() != null && !s.authorization().contains("stale-")), "with the new token");
  }
}
