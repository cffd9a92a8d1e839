package dev.plugboard.tenancy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resolves an API key to its {@link Caller} with one indexed query, and caches the answer.
 *
 * <p>A revoked key, a removed membership or a changed sharing setting must take effect within 1 s on
 * every replica. Each database change to those rows is announced by NOTIFY ({@link TenancyChanges}),
 * which drops the cache at once. An entry therefore lives long (minutes) only while this replica can
 * hear those announcements: the listener confirms so with a heartbeat every quarter second, and
 * once its last confirmation is 1 s old, entries older than 1 s are loaded again. Either way no
 * answer is older than the 1 s contract.
 */
@ApplicationScoped
public class CallerLookup {

  /** How old an entry may be when changes cannot be heard (the contract). */
  static final long UNCONFIRMED_NANOS = 1_000_000_000L;
  /** How old an entry may be while they can (a belt-and-braces bound). */
  static final long CONFIRMED_NANOS = 300_000_000_000L;
  private static final int CACHE_MAX = 50_000;

  @Inject EntityManager em;

  private record Cached(Optional<Caller> caller, Instant expiresAt, long loadedAt, long generation) {}

  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  /** Bumped by every invalidation, so a load that raced with one is never trusted afterwards. */
  private final AtomicLong generation = new AtomicLong();
  /** When the last heartbeat that saw every earlier change was sent ({@link System#nanoTime()}). */
  private volatile long confirmedAt = System.nanoTime() - 2 * UNCONFIRMED_NANOS;

  private final Counter hits;
  private final Counter misses;

  @Inject
  CallerLookup(MeterRegistry registry) {
    hits = Counter.builder("plugboard.apikey.lookups").tag("result", "cached").register(registry);
    misses = Counter.builder("plugboard.apikey.lookups").tag("result", "loaded").register(registry);
  }

  public Optional<Caller> find(String key) {
    if (!ApiKeys.wellFormed(key)) {
      return Optional.empty();
    }
    byte[] hash = ApiKeys.hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    long now = System.nanoTime();
    Cached cached = cache.get(cacheKey);
    if (cached != null && fresh(cached, now)) {
      hits.increment();
    } else {
      misses.increment();
      cached = load(hash, now);
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(cacheKey, cached);
    }
    if (cached.expiresAt != null && !cached.expiresAt.isAfter(Instant.now())) {
      return Optional.empty();
    }
    return cached.caller;
  }

  private boolean fresh(Cached c, long now) {
    if (c.generation != generation.get()) {
      return false;
    }
    long age = now - c.loadedAt;
    if (age < UNCONFIRMED_NANOS) {
      return true;
    }
    // Unknown keys are not kept long: guessing keys must not push the real ones out.
    return c.caller.isPresent() && now - confirmedAt < UNCONFIRMED_NANOS && age < CONFIRMED_NANOS;
  }

  /** Forgets every cached lookup on this replica (others hear the NOTIFY of the same change). */
  public void invalidateAll() {
    generation.incrementAndGet();
    cache.clear();
  }

  /** The listener heard every change committed before {@code sentAt} and has invalidated for them. */
  void confirm(long sentAt) {
    confirmedAt = sentAt;
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

  private Cached load(byte[] hash, long now) {
    long gen = generation.get(); // read before the query: a change during it makes the entry stale
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
      return new Cached(Optional.empty(), null, now, gen);
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
    return new Cached(Optional.of(caller), r.get("expires_at", Instant.class), now, gen);
  }
}
