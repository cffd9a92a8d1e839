package dev.plugboard.oauth;

import dev.plugboard.api.ChangeFeed;
import dev.plugboard.api.HeardCache;
import dev.plugboard.api.Times;
import dev.plugboard.connection.Connection;
import dev.plugboard.connection.ConnectionChanges;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.credential.OAuthToken;
import dev.plugboard.oauth.TokenClient.Result;
import dev.plugboard.oauth.TokenClient.Server;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Keeps access tokens fresh, single-flight per connection: threads of this replica queue on a local
 * lock, replicas on the {@code oauth_tokens} row lock; whoever gets it re-reads the row and refreshes
 * only if it is still needed, persisting a rotated refresh token before the lock is released.
 */
@ApplicationScoped
class TokenRefresher {

  private static final Logger LOG = Logger.getLogger(TokenRefresher.class);
  private static final Duration MAX_BACKOFF = Duration.ofHours(1);
  static final String BROKEN_REASON = "refresh_failed: invalid_grant";

  private static final int MAX_CACHED = 20_000;

  private final ReentrantLock[] stripes = new ReentrantLock[64];
  /** Token rows by connection, kept current by the change feed. */
  private final HeardCache<UUID, Stored> rows;
  private final OAuthConfig config;
  private final TokenClient tokenClient;
  private final CredentialService credentials;
  private final EntityManager em;
  // Field-injected so the constructor (shared with other work on this class) stays as it is.
  @jakarta.inject.Inject ConnectionChanges changes;
  @jakarta.inject.Inject ConnectionService connections;

  TokenRefresher(OAuthConfig config, TokenClient tokenClient, CredentialService credentials, EntityManager em, ChangeFeed feed) {
    this.rows = feed.cache(ChangeFeed.CONNECTION, UUID::toString, MAX_CACHED);
    this.config = config;
    this.tokenClient = tokenClient;
    this.credentials = credentials;
    this.em = em;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * The connection's tokens, refreshed first when they expire within the margin. The row is read from
   * this replica's cache while it is unchanged (sealed, as stored: decrypted here, per use), so a
   * forwarded message costs no database read; a refresh, a reconnect or a broken connection anywhere
   * drops it within 1 s ({@link HeardCache}; migration V16 announces {@code oauth_tokens} and
   * {@code connections} changes).
   */
  Optional<Tokens> fresh(UUID connectionId) {
    Optional<Stored> stored = rows.get(connectionId, () -> QuarkusTransaction.requiringNew().call(() -> read(connectionId)));
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    OAuthToken row = stored.get().row();
    if (!due(row, () -> stored.get().usable(), Instant.now())) {
      return Optional.of(credentials.tokens(row));
    }
    ReentrantLock lock = stripes[Math.floorMod(connectionId.hashCode(), stripes.length)];
    lock.lock();
    try {
      return refreshLocked(connectionId, false, null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #fresh} when its token row is cached and needs no refresh (for an event loop); empty
   * when it would have to read or refresh. Connections without a token row are not cached, so
   * they are empty too.
   */
  Optional<Optional<Tokens>> freshNow(UUID connectionId) {
    Optional<Stored> stored = rows.peek(connectionId);
    if (stored.isEmpty() || due(stored.get().row(), () -> stored.get().usable(), Instant.now())) {
      return Optional.empty();
    }
    return Optional.of(Optional.of(credentials.tokens(stored.get().row())));
  }

  /**
   * A fresh access token after a server refused {@code rejected}: refreshed under the same locks as
   * {@link #fresh}, unless the stored token already differs (someone refreshed meanwhile). Empty when
   * nothing newer can be had (no refresh token, a broken connection, a failed refresh).
   */
  Optional<Tokens> afterRejection(UUID connectionId, String rejected) {
    ReentrantLock lock = stripes[Math.floorMod(connectionId.hashCode(), stripes.length)];
    lock.lock();
    try {
      return refreshLocked(connectionId, false, rejected).filter(t -> !rejected.equals(t.accessToken()));
    } finally {
      lock.unlock();
    }
  }

  /**
   * A token row as read (detached when its transaction ended, never changed after: its secrets stay
   * sealed) and whether its connection is not broken.
   */
  private record Stored(OAuthToken row, boolean usable) {}

  private Optional<Stored> read(UUID connectionId) {
    OAuthToken row = em.find(OAuthToken.class, connectionId);
    if (row == null) {
      return Optional.empty();
    }
    Connection c = em.find(Connection.class, connectionId);
    return Optional.of(new Stored(row, c != null && c.brokenAt == null));
  }

  /**
   * Due: has a refresh token, expires within the margin, is not backing off after a transient failure,
   * and its connection is not broken ({@code usable}, asked only when the rest holds).
   */
  private boolean due(OAuthToken row, BooleanSupplier usable, Instant now) {
    if (row.expiresAt == null || row.expiresAt.isAfter(now.plus(config.refreshMargin()))) {
      return false;
    }
    if (row.nextRefreshAt != null && row.nextRefreshAt.isAfter(now)) {
      return false;
    }
    return row.refreshToken != null && usable.getAsBoolean();
  }

  /** Has a refresh token and its connection is not broken. */
  private boolean refreshable(OAuthToken row) {
    if (row.refreshToken == null) {
      return false;
    }
    Connection c = em.find(Connection.class, row.connectionId);
    return c != null && c.brokenAt == null;
  }

  /**
   * Refreshes under the row lock when still due, or with {@code rejected} when the stored access token
   * is still that refused one. With {@code skipLocked} (the idle job) a row another replica is
   * refreshing is skipped instead of waited for.
   */
  Optional<Tokens> refreshLocked(UUID connectionId, boolean skipLocked, String rejected) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              List<?> locked =
                  em.createNativeQuery(
                          "SELECT connection_id FROM oauth_tokens WHERE connection_id = :id FOR UPDATE"
                              + (skipLocked ? " SKIP LOCKED" : ""))
                      .setParameter("id", connectionId)
                      .getResultList();
              if (locked.isEmpty()) {
                return Optional.<Tokens>empty();
              }
              OAuthToken row = em.find(OAuthToken.class, connectionId);
              Tokens t = credentials.tokens(row);
              Instant now = Instant.now();
              boolean needed = rejected == null ? due(row, () -> refreshable(row), now) : rejected.equals(t.accessToken()) && refreshable(row);
              if (!needed) {
                return Optional.of(t);
              }
              Connection conn = em.find(Connection.class, connectionId);
              Result r = tokenClient.refresh(Server.of(conn.provider, conn.oauthProvider, t), t.refreshToken(), t.resource());
              if (r.granted() != null) {
                TokenClient.Granted g = r.granted();
                Tokens next =
                    new Tokens(
                        g.accessToken(),
                        g.refreshToken() != null ? g.refreshToken() : t.refreshToken(),
                        g.tokenType(),
                        g.expiresAt(),
                        g.scopes() != null ? g.scopes() : t.scopes(),
                        t.tokenEndpoint(),
                        t.revocationEndpoint(),
                        t.clientId(),
                        t.clientSecret(),
                        t.resource());
                credentials.saveTokens(connectionId, next);
                // "refresh token: <x>" would read as a secret to the log redaction: say it in words
                boolean rotated = g.refreshToken() != null && !g.refreshToken().equals(t.refreshToken());
                LOG.infof("refreshed the access token of connection %s%s", connectionId, rotated ? " (the server rotated the refresh token)" : "");
                return Optional.of(next);
              }
              if (r.failed().invalidGrant()) {
                // The row has been locked since the refresh token was read, so nobody (another
                // replica's refresh, a reconnect) can have replaced it: the grant itself is gone.
                conn.brokenAt = Times.now();
                conn.brokenReason = BROKEN_REASON;
                conn.updatedAt = conn.brokenAt;
                LOG.warnf("connection %s is broken: the authorization server rejected its refresh token", connectionId);
                ConnectionView broken = connections.view(conn);
                changes.record(ConnectionChanges.REFRESH_FAILED, broken, refreshFailure(r.failed(), true));
                changes.record(ConnectionChanges.BROKEN, broken, Map.of("reason", BROKEN_REASON));
                return Optional.of(t);
              }
              row.refreshFailures = row.refreshFailures + 1;
              Duration backoff = Duration.ofSeconds(30L << Math.min(row.refreshFailures - 1, 7));
              row.nextRefreshAt = now.plus(backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff);
              row.updatedAt = Times.now();
              LOG.warnf(
                  "refreshing connection %s failed (%s, %s); retry after %s",
                  connectionId, r.failed().oauthError(), r.failed().detail(), row.nextRefreshAt);
              changes.record(
                  ConnectionChanges.REFRESH_FAILED, connections.view(conn), refreshFailure(r.failed(), false));
              return Optional.of(t);
            });
  }

  /** {@code data.error} (the OAuth error code, else what failed) and {@code data.fatal} of refresh_failed. */
  private static Map<String, Object> refreshFailure(TokenClient.Failed failed, boolean fatal) {
    Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("error", failed.oauthError() != null ? failed.oauthError() : failed.detail());
    data.put("fatal", fatal);
    return data;
  }

  /** Connections whose tokens are due, oldest expiry first. */
  List<UUID> dueConnections(int limit) {
    Instant now = Instant.now();
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                em.createQuery(
                        "select t.connectionId from OAuthToken t, Connection c where c.id = t.connectionId"
                            + " and t.refreshToken is not null and t.expiresAt < :horizon"
                            + " and (t.nextRefreshAt is null or t.nextRefreshAt <= :now) and c.brokenAt is null"
                            + " order by t.expiresAt",
                        UUID.class)
                    .setParameter("horizon", now.plus(config.refreshMargin()))
                    .setParameter("now", now)
                    .setMaxResults(limit)
                    .getResultList());
  }
}
