package dev.plugboard.tenancy;

import dev.plugboard.api.ChangeFeed;
import dev.plugboard.api.HeardCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Resolves an API key to its {@link Caller} with one indexed query, and caches the answer.
 *
 * <p>A revoked or deleted key, a removed or changed membership, a changed team or sharing setting
 * must take effect within 1 s on every replica. The cache is a {@link HeardCache} of the topic {@link
 * ChangeFeed#TENANCY}: every database change to those rows is announced by NOTIFY (migration V6)
 * and drops it at once, and its entries outlive 1 s only while the feed confirms it can hear those
 * announcements (see {@link HeardCache}). Unknown keys are not cached: guessing keys must not push
 * the real ones out.
 */
@ApplicationScoped
public class CallerLookup {

  private static final int CACHE_MAX = 50_000;

  /** A key's caller and when the key expires (checked on every use, cached or not). */
  private record Found(Caller caller, Instant expiresAt) {}

  private final EntityManager em;
  private final ChangeFeed feed;
  private final HeardCache<String, Found> cache;
  private final Counter hits;
  private final Counter misses;

  @Inject
  CallerLookup(EntityManager em, ChangeFeed feed, MeterRegistry registry) {
    this.em = em;
    this.feed = feed;
    this.cache = feed.cache(ChangeFeed.TENANCY, k -> k, CACHE_MAX);
    hits = Counter.builder("plugboard.apikey.lookups").tag("result", "cached").register(registry);
    misses = Counter.builder("plugboard.apikey.lookups").tag("result", "loaded").register(registry);
  }

  public Optional<Caller> find(String key) {
    return find(key, true);
  }

  /** {@link #find} from the cache alone (for an event loop, which must not query): empty when the key is not cached. */
  public Optional<Caller> cached(String key) {
    return find(key, false);
  }

  private Optional<Caller> find(String key, boolean load) {
    if (!ApiKeys.wellFormed(key)) {
      return Optional.empty();
    }
    byte[] hash = ApiKeys.hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    Optional<Found> found = cache.peek(cacheKey);
    if (found.isPresent()) {
      hits.increment();
    } else if (load) {
      found = cache.get(cacheKey, () -> load(hash));
    }
    return found.filter(f -> f.expiresAt == null || f.expiresAt.isAfter(Instant.now())).map(Found::caller);
  }

  /**
   * This replica's own change to what keys resolve to: the cache is dropped now and again when the
   * transaction ends (other replicas hear the NOTIFY).
   */
  void changedHere() {
    feed.changedHere(ChangeFeed.TENANCY, HeardCache.ANY);
  }

  /**
   * The caller a user is in a team right now, without an API key: for work that finishes outside
   * the request that started it (the OAuth callback). Empty when the membership is gone.
   */
  public Optional<Caller> forMember(UUID userId, UUID teamId) {
    @SuppressWarnings("unchecked")
    List<Tuple> rows =
        em.createNativeQuery(
                """
                SELECT m.role, t.organization_id, o.connections_sharing
                FROM memberships m
                JOIN teams t ON t.id = m.team_id
                JOIN organizations o ON o.id = t.organization_id
                WHERE m.user_id = :user AND m.team_id = :team
                """,
                Tuple.class)
            .setParameter("user", userId)
            .setParameter("team", teamId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            r ->
                new Caller(
                    null,
                    userId,
                    teamId,
                    r.get("organization_id", UUID.class),
                    r.get("role", String.class),
                    r.get("connections_sharing", Boolean.class)));
  }

  private Optional<Found> load(byte[] hash) {
    misses.increment();
    @SuppressWarnings("unchecked")
    List<Tuple> rows =
        em.createNativeQuery(
                """
                SELECT k.id AS key_id, k.user_id, k.team_id, t.organization_id, m.role,
                       o.connections_sharing, k.expires_at
                FROM api_keys k
                JOIN teams t ON t.id = k.team_id
                JOIN organizations o ON o.id = t.organization_id
                JOIN memberships m ON m.team_id = k.team_id AND m.user_id = k.user_id
                WHERE k.key_hash = :hash AND k.revoked_at IS NULL
                """,
                Tuple.class)
            .setParameter("hash", hash)
            .getResultList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Tuple r = rows.get(0);
    Caller caller =
        new Caller(
            r.get("key_id", UUID.class),
            r.get("user_id", UUID.class),
            r.get("team_id", UUID.class),
            r.get("organization_id", UUID.class),
            r.get("role", String.class),
            r.get("connections_sharing", Boolean.class));
    return Optional.of(new Found(caller, r.get("expires_at", Instant.class)));
  }
}
