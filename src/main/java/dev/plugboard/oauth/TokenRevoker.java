package dev.plugboard.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.connection.ConnectionEvents;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.oauth.TokenClient.Server;
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
 * commits, survives a crash, and is retried on the outbox schedule. The revocation itself goes to the
 * server that issued the tokens ({@link TokenClient} picks the client: quarkus-oidc-client for a
 * native provider, the guarded client for a discovered one).
 */
@ApplicationScoped
@RegisterForReflection(targets = {Tokens.class, TokenRevoker.Revocation.class}) // read back from the sealed job payload
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

  /** What a revocation job carries (sealed): whose tokens, and the connection's provider to find their server. */
  record Revocation(String provider, String oauthProvider, Tokens tokens) {}

  void onDeleted(@Observes ConnectionEvents.Deleted event) {
    if (event.tokens().isEmpty() || !tokenClient.revocable(Server.of(event.provider(), event.oauthProvider(), event.tokens().get()))) {
      return;
    }
    UUID job = UUID.randomUUID();
    String sealed;
    try {
      sealed = crypto.encrypt(json.writeValueAsString(new Revocation(event.provider(), event.oauthProvider(), event.tokens().get())), payloadAad(job));
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
    Revocation r;
    try {
      r = json.readValue(crypto.decrypt(job.payload(), payloadAad(job.id())), Revocation.class);
    } catch (JsonProcessingException | Crypto.DecryptionException e) {
      return Outcome.giveUp(null, "the sealed tokens cannot be read");
    }
    try {
      return revoke(job.target(), r);
    } catch (OutboundFailure e) {
      return Outcome.retry(null, e.getMessage(), null);
    }
  }

  /**
   * Revokes the refresh token (which ends the grant at most servers) and the access token. RFC 7009
   * §2.2: a server answers 200 even for a token it no longer knows, so only a 5xx or 429 is worth
   * another try; any other refusal (a 400 such as {@code unsupported_token_type}, a 401 for the
   * client) would be refused again, so the job ends there, as done when the refresh token went.
   */
  Outcome revoke(String connectionId, Revocation r) throws OutboundFailure {
    Tokens t = r.tokens();
    Server server = Server.of(r.provider(), r.oauthProvider(), t);
    int refresh = t.refreshToken() == null ? 200 : tokenClient.revoke(server, t.refreshToken(), "refresh_token");
    int access = tokenClient.revoke(server, t.accessToken(), "access_token");
    int worst = transient_(refresh) ? refresh : transient_(access) ? access : refresh != 200 ? refresh : access;
    if (transient_(worst)) {
      return Outcome.retry(worst, "the revocation endpoint answered HTTP " + worst, null);
    }
    if (refresh == 200 && t.refreshToken() != null || worst == 200) {
      LOG.infof("revoked the tokens of deleted connection %s%s", connectionId, access == 200 ? "" : " (the server answered HTTP " + access + " for the access token)");
      return Outcome.done(worst == 200 ? 200 : access);
    }
    LOG.infof("the server refused to revoke the tokens of deleted connection %s (HTTP %d); not retrying a refusal", connectionId, worst);
    return Outcome.giveUp(worst, "the revocation endpoint refused with HTTP " + worst);
  }

  /** A status another try may change. */
  private static boolean transient_(int status) {
    return status >= 500 || status == 429;
  }
}
