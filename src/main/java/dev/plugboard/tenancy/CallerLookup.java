package dev.plugboard.tenancy;

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

/**
 * Resolves an API key to its {@link Caller} with one indexed query. Results are cached for at most
 * one second, so a revoked key, a removed membership or a changed sharing setting takes effect
 * within 1 s on every replica.
 */
@ApplicationScoped
public class CallerLookup {

  static final long CACHE_NANOS = 1_000_000_000L;
  private static final int CACHE_MAX = 10_000;

  @Inject EntityManager em;

  private record Cached(Optional<Caller> caller, Instant expiresAt, long until) {}

  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public Optional<Caller> find(String key) {
    if (!ApiKeys.wellFormed(key)) {
      return Optional.empty();
    }
    byte[] hash = ApiKeys.hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    long now = System.nanoTime();
    Cached cached = cache.get(cacheKey);
    if (cached == null || now - cached.until > 0) {
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

  /** Forgets cached lookups at once on this replica (others follow within the cache's second). */
  public void invalidateAll() {
    cache.clear();
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

  Cached load(byte[] hash, long now) {
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
      return new Cached(Optional.empty(), null, now + CACHE_NANOS);
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
    return new Cached(Optional.of(caller), r.get("expires_at", Instant.class), now + CACHE_NANOS);
  }
}
