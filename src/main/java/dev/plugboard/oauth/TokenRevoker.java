package dev.plugboard.oauth;

import dev.plugboard.connection.ConnectionEvents;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.net.OutboundFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

/** Revokes a deleted connection's tokens (RFC 7009), best effort, after the deletion committed. */
@ApplicationScoped
class TokenRevoker {

  private static final Logger LOG = Logger.getLogger(TokenRevoker.class);

  private final TokenClient tokenClient;

  TokenRevoker(TokenClient tokenClient) {
    this.tokenClient = tokenClient;
  }

  void onDeleted(@ObservesAsync ConnectionEvents.Deleted event) {
    if (event.tokens().isEmpty() || event.tokens().get().revocationEndpoint() == null) {
      return;
    }
    Tokens t = event.tokens().get();
    String method = ClientIdentity.methodFor(t.clientId(), t.clientSecret());
    try {
      // Revoking the refresh token ends the grant at most servers; the access token goes too.
      boolean ok = true;
      if (t.refreshToken() != null) {
        ok = tokenClient.revoke(t.revocationEndpoint(), t.refreshToken(), "refresh_token", t.clientId(), t.clientSecret(), method);
      }
      ok &= tokenClient.revoke(t.revocationEndpoint(), t.accessToken(), "access_token", t.clientId(), t.clientSecret(), method);
      LOG.infof("revoked the tokens of deleted connection %s%s", event.connectionId(), ok ? "" : " (server refused some)");
    } catch (OutboundFailure | RuntimeException e) {
      LOG.warnf("revoking the tokens of deleted connection %s failed: %s", event.connectionId(), e.getMessage());
    }
  }
}
