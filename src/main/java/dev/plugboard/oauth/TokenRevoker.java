package dev.plugboard.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.connection.ConnectionEvents;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.outbox.Outbox;
import dev.plugboard.outbox.OutboxHandler;
import dev.plugboard.outbox.OutboxJob;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Revokes a deleted connection's tokens (RFC 7009). The deleting transaction puts the revocation on
 * the outbox (job {@code oauth.revoke}, its tokens sealed), so it happens only if the deletion
 * commits, survives a crash, and is retried on the outbox schedule.
 */
@ApplicationScoped
@RegisterForReflection(targets = Tokens.class) // read back from the sealed job payload
class TokenRevoker implements OutboxHandler {

  private static final Logger LOG = Logger.getLogger(TokenRevoker.class);
  static final String KIND = "oauth.revoke";

  private final TokenClient tokenClient;
  private final Outbox outbox;
  private final Crypto crypto;
  private final ObjectMapper json;

  TokenRevoker(TokenClient tokenClient, Outbox outbox, Crypto crypto, ObjectMapper json) {
    this.tokenClient = tokenClient;
    this.outbox = outbox;
    this.crypto = crypto;
    this.json = json;
  }

  static String payloadAad(Object jobId) {
    return "outbox_jobs.payload:" + jobId;
  }

  void onDeleted(@Observes ConnectionEvents.Deleted event) {
    if (event.tokens().isEmpty() || event.tokens().get().revocationEndpoint() == null) {
      return;
    }
    UUID job = UUID.randomUUID();
    String sealed;
    try {
      sealed = crypto.encrypt(json.writeValueAsString(event.tokens().get()), payloadAad(job));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("tokens cannot be written as JSON", e);
    }
    outbox.job(job, KIND, event.connectionId().toString(), null, sealed);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Outcome attempt(OutboxJob job) {
    Tokens t;
    try {
      t = json.readValue(crypto.decrypt(job.payload(), payloadAad(job.id())), Tokens.class);
    } catch (JsonProcessingException | Crypto.DecryptionException e) {
      return Outcome.giveUp(null, "the sealed tokens cannot be read");
    }
    try {
      return revoke(job.target(), t) ? Outcome.done(200) : Outcome.retry(null, "the revocation endpoint refused", null);
    } catch (OutboundFailure e) {
      return Outcome.retry(null, e.getMessage(), null);
    }
  }

  /** Revokes the refresh token (which ends the grant at most servers) and the access token. */
  boolean revoke(String connectionId, Tokens t) throws OutboundFailure {
    String method = ClientIdentity.methodFor(t.clientId(), t.clientSecret());
    // Revoking the refresh token ends the grant at most servers; the access token goes too.
    boolean ok = true;
    if (t.refreshToken() != null) {
      ok = tokenClient.revoke(t.revocationEndpoint(), t.refreshToken(), "refresh_token", t.clientId(), t.clientSecret(), method);
    }
    ok &= tokenClient.revoke(t.revocationEndpoint(), t.accessToken(), "access_token", t.clientId(), t.clientSecret(), method);
    LOG.infof("revoked the tokens of deleted connection %s%s", connectionId, ok ? "" : " (server refused some)");
    return ok;
  }
}
