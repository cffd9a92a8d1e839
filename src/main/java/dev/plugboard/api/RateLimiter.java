package dev.plugboard.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A token bucket per API key kept in PostgreSQL, so the limit holds across replicas: capacity N,
 * refilled at N per minute. One statement per request; the row lock of {@code ON CONFLICT DO UPDATE}
 * serialises concurrent requests of the same key on every replica.
 */
@ApplicationScoped
public class RateLimiter {

  /** The outcome of one request against the bucket. {@code reset}: unix seconds when the bucket is full. */
  public record Decision(boolean allowed, int limit, int remaining, long reset, long retryAfterSeconds) {}

  // The refilled level (old level + elapsed seconds x rate, capped) is repeated: ON CONFLICT has no
  // place to name it once.
  private static final String TAKE =
      """
      INSERT INTO rate_limit_buckets AS b (api_key_id, tokens, granted, updated_at)
      VALUES (?, ? - 1, true, statement_timestamp())
      ON CONFLICT (api_key_id) DO UPDATE SET
        tokens = CASE WHEN LEAST(?, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)) * ?) >= 1
                      THEN LEAST(?, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)) * ?) - 1
                      ELSE LEAST(?, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)) * ?) END,
        granted = LEAST(?, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)) * ?) >= 1,
        updated_at = statement_timestamp()
      RETURNING tokens, granted, EXTRACT(EPOCH FROM updated_at)
      """;

  @Inject DataSource dataSource;
  @Inject RateLimitConfig config;

  public Decision take(UUID apiKeyId) {
    int limit = Math.max(1, config.requestsPerMinute());
    double perSecond = limit / 60.0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(TAKE)) {
      ps.setObject(1, apiKeyId);
      ps.setDouble(2, limit);
      for (int i = 3; i <= 9; i += 2) {
        ps.setDouble(i, limit);
        ps.setDouble(i + 1, perSecond);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        double tokens = rs.getDouble(1);
        boolean granted = rs.getBoolean(2);
        double now = rs.getDouble(3);
        long reset = (long) Math.ceil(now + (limit - tokens) / perSecond);
        long retryAfter = granted ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        return new Decision(granted, limit, (int) Math.floor(Math.max(0, tokens)), reset, retryAfter);
      }
    } catch (SQLException e) {
      throw new DatabaseException("rate limit bucket update failed", e);
    }
  }
}
