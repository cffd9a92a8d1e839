package dev.plugboard.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * A token bucket per API key kept in PostgreSQL, so the limit holds across replicas: capacity N,
 * refilled at N per minute. A replica does not write the bucket on every request: it claims a batch
 * of tokens (a lease) in one statement and spends them from memory.
 *
 * <ul>
 *   <li>Never over-admits: every admitted request spends a token the bucket granted. Across R
 *       replicas, in any window of t seconds a key gets at most N + t·N/60 + R·cap requests; the
 *       R·cap is tokens claimed before the window and spent in it (the bucket refilled meanwhile
 *       below a cap it would have hit with those tokens still inside).
 *   <li>Bounded hoarding: a lease holds at most {@code cap} tokens (default N/30, 2 s of refill, so a
 *       key with a small limit claims one token at a time and behaves exactly as a plain bucket) for
 *       at most the lease lifetime. Unused tokens of an expired lease go back to the bucket in the
 *       next claim's statement; if the key never returns to this replica they are lost, at most cap
 *       per key and replica, which the bucket refills within 2 s. So another replica's key sees at
 *       most R·cap fewer tokens than a single bucket would give it, never for longer than that.
 *   <li>Batch size follows the key's rate on this replica: 1 at first, doubled when a lease runs dry
 *       before it expires, otherwise what the last lease actually spent.
 * </ul>
 */
@ApplicationScoped
public class RateLimiter {

  /** The outcome of one request against the bucket. {@code reset}: unix seconds when the bucket is full. */
  public record Decision(boolean allowed, int limit, int remaining, long reset, long retryAfterSeconds) {}

  /** What one claim statement returned: tokens granted, the bucket level left, the database time. */
  private record Claim(int granted, double tokens, double now) {}

  // A new row is a full bucket minus the grant. On conflict, "level" is the refilled bucket plus the
  // tokens handed back (capped at N); the claim takes min(want, floor(level)), possibly 0, under the
  // row lock, so concurrent claims of every replica serialise. last_grant exists only for RETURNING.
  private static final String CLAIM =
      """
      INSERT INTO rate_limit_buckets AS b (api_key_id, tokens, granted, last_grant, updated_at)
      VALUES (?, ?, true, ?, statement_timestamp())
      ON CONFLICT (api_key_id) DO UPDATE SET (tokens, granted, last_grant, updated_at) = (
        SELECT level - n, n >= 1, n, statement_timestamp()
        FROM (SELECT level, LEAST(?, FLOOR(level))::integer AS n
              FROM (SELECT LEAST(?, b.tokens + ? + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)) * ?)
                           AS level) refilled) claimed)
      RETURNING last_grant, tokens, EXTRACT(EPOCH FROM updated_at)
      """;

  /** One key's tokens on this replica; every field is guarded by {@code lock}. */
  private static final class Lease {
    final ReentrantLock lock = new ReentrantLock();
    boolean evicted; // removed from the map: a request holding a stale reference looks again
    int unused; // granted by the bucket, not yet spent
    int spent; // spent from the current lease: the key's recent rate here
    int batch = 1; // the size of the last claim
    long expiresAt; // System.nanoTime()
    double bucketTokens; // the bucket's level after the last claim
    long reset;
    long refusedUntil; // System.nanoTime() before which the bucket cannot have a whole token

    Lease(long now) {
      expiresAt = now; // expired: the first request claims
    }
  }

  @Inject DataSource dataSource;
  @Inject RateLimitConfig config;

  private final Map<UUID, Lease> leases = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep = new AtomicLong(System.nanoTime() - TimeUnit.HOURS.toNanos(1));

  public Decision take(UUID apiKeyId) {
    int limit = limit();
    long lifetime = lifetime();
    long now = System.nanoTime();
    Lease lease;
    while ((lease = lease(apiKeyId, now, lifetime)) != null) {
      boolean locked;
      try {
        // Waits for this key's claim in flight, if any; bounded so a stalled database cannot
        // queue a key's requests behind each other.
        locked = lease.lock.tryLock(lifetime, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (!locked) {
        break;
      }
      try {
        if (!lease.evicted) {
          return take(apiKeyId, lease, limit, lifetime);
        }
      } finally {
        lease.lock.unlock();
      }
    }
    // No lease (too many keys tracked, or waited too long): one token, as a plain bucket.
    Claim c = claim(apiKeyId, 1, 0, limit);
    return decide(c.granted() > 0, limit, c.tokens(), 0, c);
  }

  /**
   * {@link #take} when it needs no statement and no wait (for an event loop): a token of this
   * replica's live lease; null when the lease is busy, dry, expired or absent.
   */
  public Decision tryTake(UUID apiKeyId) {
    Lease lease = leases.get(apiKeyId);
    if (lease == null || !lease.lock.tryLock()) {
      return null;
    }
    try {
      long now = System.nanoTime();
      if (lease.evicted || now - lease.expiresAt >= 0 || lease.unused <= 0 || now - lease.refusedUntil < 0) {
        return null;
      }
      return take(apiKeyId, lease, limit(), lifetime());
    } finally {
      lease.lock.unlock();
    }
  }

  private int limit() {
    return Math.max(1, config.requestsPerMinute());
  }

  private long lifetime() {
    return Math.max(1, config.leaseLifetime().toNanos());
  }

  private Decision take(UUID apiKeyId, Lease lease, int limit, long lifetime) {
    long now = System.nanoTime();
    if (now - lease.refusedUntil < 0) {
      // The last claim found no whole token and refill cannot make one sooner (a hand-back from
      // another replica could, so this errs on the strict side): refuse without a write, so a
      // client retrying in a loop costs the database nothing.
      long wait = Math.max(1, (long) Math.ceil((lease.refusedUntil - now) / 1e9));
      return new Decision(false, limit, 0, lease.reset, wait);
    }
    boolean live = now - lease.expiresAt < 0;
    if (live && lease.unused > 0) {
      lease.unused--;
      lease.spent++;
      return new Decision(true, limit, remaining(lease.bucketTokens, lease.unused), lease.reset, 0);
    }
    int cap = cap(limit);
    // Dry before expiry: demand outruns the batch, double it. Otherwise size it to what was spent.
    int want = live ? Math.min(cap, lease.batch * 2) : clamp(lease.spent, 1, cap);
    int handBack = live ? 0 : lease.unused;
    Claim c = claim(apiKeyId, want, handBack, limit);
    lease.unused = c.granted();
    lease.spent = 0;
    lease.batch = want;
    lease.expiresAt = now + lifetime;
    lease.bucketTokens = c.tokens();
    Decision d = decide(c.granted() > 0, limit, c.tokens(), c.granted() > 0 ? c.granted() - 1 : 0, c);
    lease.reset = d.reset();
    if (d.allowed()) {
      lease.unused--;
      lease.spent++;
    } else {
      lease.refusedUntil = now + (long) ((1 - c.tokens()) / (limit / 60.0) * 1e9);
    }
    return d;
  }

  private static Decision decide(boolean allowed, int limit, double tokens, int unused, Claim c) {
    double perSecond = limit / 60.0;
    long reset = (long) Math.ceil(c.now() + (limit - tokens) / perSecond);
    long retryAfter = allowed ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    return new Decision(allowed, limit, remaining(tokens, unused), reset, retryAfter);
  }

  /** What the key can still spend: the bucket as of the last claim plus this replica's unused tokens. */
  private static int remaining(double bucketTokens, int unused) {
    return (int) Math.floor(Math.max(0, bucketTokens)) + unused;
  }

  private int cap(int limit) {
    return clamp(config.leaseMaxTokens().orElse(limit / 30), 1, limit);
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  /** This key's lease, or null when the map is full of live leases (memory stays bounded). */
  private Lease lease(UUID apiKeyId, long now, long lifetime) {
    Lease lease = leases.get(apiKeyId);
    if (lease != null) {
      return lease;
    }
    if (leases.size() >= config.leaseMaxKeys()) {
      sweep(now, lifetime);
      if (leases.size() >= config.leaseMaxKeys()) {
        return null;
      }
    }
    return leases.computeIfAbsent(apiKeyId, k -> new Lease(now));
  }

  /**
   * Drops expired leases, at most once per lease lifetime. Their unused tokens are not handed back
   * (that would cost a statement per key); the bucket refills them within 2 s.
   */
  private void sweep(long now, long lifetime) {
    long last = lastSweep.get();
    if (now - last < lifetime || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    for (Map.Entry<UUID, Lease> e : leases.entrySet()) {
      Lease lease = e.getValue();
      if (lease.lock.tryLock()) {
        try {
          if (now - lease.expiresAt >= 0) {
            lease.evicted = true;
            leases.remove(e.getKey(), lease);
          }
        } finally {
          lease.lock.unlock();
        }
      }
    }
  }

  /** One statement: hands back {@code handBack} tokens and takes up to {@code want}. */
  private Claim claim(UUID apiKeyId, int want, int handBack, int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setObject(1, apiKeyId);
      ps.setDouble(2, limit - want);
      ps.setInt(3, want);
      ps.setInt(4, want);
      ps.setDouble(5, limit);
      ps.setDouble(6, handBack);
      ps.setDouble(7, limit / 60.0);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Claim(rs.getInt(1), rs.getDouble(2), rs.getDouble(3));
      }
    } catch (SQLException e) {
      throw new DatabaseException("rate limit bucket update failed", e);
    }
  }
}

