package dev.plugboard.oauth;

import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.CredentialResolver;
import dev.plugboard.credential.CredentialService.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Adds {@code Authorization: Bearer <fresh token>} when a connection is resolved for an agent
 * runtime. A token issued for one MCP server is never handed out for another URL.
 */
@ApplicationScoped
class OAuthCredentialResolver implements CredentialResolver {

  private final TokenRefresher refresher;

  OAuthCredentialResolver(TokenRefresher refresher) {
    this.refresher = refresher;
  }

  @Override
  public void contribute(ConnectionView connection, Map<String, String> headers) {
    if (!"oauth".equals(connection.authMethod())) {
      return; // tokens are only ever used by connections that authenticate with them
    }
    Optional<Tokens> tokens = refresher.fresh(connection.id());
    if (tokens.isEmpty() || !issuedFor(connection.serverUrl(), tokens.get())) {
      return;
    }
    headers.keySet().removeIf(k -> k.equalsIgnoreCase("Authorization"));
    headers.put("Authorization", "Bearer " + tokens.get().accessToken());
  }

  /** MCP tokens carry the resource they were issued for; the connection must still point there. */
  static boolean issuedFor(String serverUrl, Tokens t) {
    if (t.resource() == null) {
      return true;
    }
    if (serverUrl == null) {
      return false;
    }
    try {
      return Discovery.covers(t.resource(), Discovery.canonical(URI.create(serverUrl)));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
