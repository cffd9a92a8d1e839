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
    if ("oauth".equals(connection.authMethod())) { // tokens are only ever used by connections that authenticate with them
      add(connection, refresher.fresh(connection.id()), headers);
    }
  }

  @Override
  public boolean contributeNow(ConnectionView connection, Map<String, String> headers) {
    if (!"oauth".equals(connection.authMethod())) {
      return true;
    }
    Optional<Optional<Tokens>> cached = refresher.freshNow(connection.id());
    cached.ifPresent(tokens -> add(connection, tokens, headers));
    return cached.isPresent();
  }

  private static void add(ConnectionView connection, Optional<Tokens> tokens, Map<String, String> headers) {
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
