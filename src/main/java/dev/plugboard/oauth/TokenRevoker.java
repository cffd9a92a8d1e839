package dev.plugboard.oauth;

import dev.plugboard.connection.ConnectionEvents;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.oauth.TokenClient.Server;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

/**
 * Revokes a deleted connection's tokens (RFC 7009), best effort, after the deletion committed, at the
 * server that issued them ({@link TokenClient} picks the client).
 */
@ApplicationScoped
class TokenRevoker {

  private static final Logger LOG = Logger.getLogger(TokenRevoker.class);

  private final TokenClient tokenClient;

  TokenRevoker(TokenClient tokenClient) {
    this.tokenClient = tokenClient;
  }

  void onDeleted(@ObservesAsync ConnectionEvents.Deleted event) {
    if (event.tokens().isEmpty()) {
      return;
    }
    Tokens t = event.tokens().get();
    try {
      Server server = Server.of(event.provider(), event.oauthProvider(), t);
      if (!tokenClient.revocable(server)) {
        return;
      }
      // Revoking the refresh token ends the grant at most servers; the access token goes too.
      boolean ok = true;
      if (t.refreshToken() != null) {
        ok = tokenClient.revoke(server, t.refreshToken(), "refresh_token");
      }
      ok &= tokenClient.revoke(server, t.accessToken(), "access_token");
      LOG.infof("revoked the tokens of deleted connection %s%s", event.connectionId(), ok ? "" : " (server refused some)");
    } catch (OutboundFailure | RuntimeException e) {
      LOG.warnf("revoking the tokens of deleted connection %s failed: %s", event.connectionId(), e.getMessage());
    }
  }
}
