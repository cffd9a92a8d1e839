package dev.plugboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@code Idempotency-Key} records in PostgreSQL, per API key. {@link #begin} claims the key in its
 * own (autocommit) statement before any work runs, so a concurrent repeat on any replica sees the
 * claim; {@link #complete} stores the response, {@link #release} forgets a claim whose request
 * failed on the server side (5xx) so that a retry runs again.
 */
@ApplicationScoped
public class Idempotency {

  public static final String HEADER = "Idempotency-Key";
  private static final Pattern KEY_SHAPE = Pattern.compile("[\\x21-\\x7e]{1,255}");
  // Request bodies are compared by meaning: key order and whitespace do not matter.
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** What to do with a request carrying an Idempotency-Key. */
  public sealed interface Outcome {}

  /** First time (or a takeover of a dead claim): run the request, then complete or release. */
  public record Proceed(UUID apiKeyId, String key) implements Outcome {}

  /** Done before: answer this instead of running the request again. */
  public record Replay(int status, String contentType, String body) implements Outcome {}

  @Inject DataSource dataSource;
  @Inject IdempotencyConfig config;

  private static final String CLAIM =
      """
      INSERT INTO idempotency_records AS r
        (api_key_id, idempotency_key, request_hash, state, locked_until, created_at, expires_at)
      VALUES (?, ?, ?, 'in_flight', statement_timestamp() + ?::interval, statement_timestamp(),
              statement_timestamp() + ?::interval)
      ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
        request_hash = EXCLUDED.request_hash, state = 'in_flight', status = NULL, content_type = NULL,
        body = NULL, locked_until = EXCLUDED.locked_until, created_at = EXCLUDED.created_at,
        expires_at = EXCLUDED.expires_at
      WHERE r.expires_at < statement_timestamp()
         OR (r.state = 'in_flight' AND r.locked_until < statement_timestamp() AND r.request_hash = EXCLUDED.request_hash)
      RETURNING 1
      """;

  private static final String READ =
      """
      SELECT request_hash, state, status, content_type, body FROM idempotency_records
      WHERE api_key_id = ? AND idempotency_key = ? AND expires_at >= statement_timestamp()
      """;

  /** Checks the header value: printable ASCII, 1–255 characters. */
  public static String checkKey(String value) {
    if (value == null || !KEY_SHAPE.matcher(value).matches()) {
      throw ApiException.validation(HEADER, "must be 1 to 255 printable ASCII characters without spaces");
    }
    return value;
  }

  public Outcome begin(UUID apiKeyId, String key, String method, String path, byte[] body) {
    byte[] hash = hash(method, path, body);
    try (Connection c = dataSource.getConnection()) {
      // Two rounds: the record may expire or be released between the claim and the read.
      for (int round = 0; round < 2; round++) {
        try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
          claim.setObject(1, apiKeyId);
          claim.setString(2, key);
          claim.setBytes(3, hash);
          claim.setString(4, config.inFlightLease().toMillis() + " milliseconds");
          claim.setString(5, config.ttl().toMillis() + " milliseconds");
          try (ResultSet rs = claim.executeQuery()) {
            if (rs.next()) {
              return new Proceed(apiKeyId, key);
            }
          }
        }
        try (PreparedStatement read = c.prepareStatement(READ)) {
          read.setObject(1, apiKeyId);
          read.setString(2, key);
          try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
              continue;
            }
            if (!Arrays.equals(rs.getBytes(1), hash)) {
              throw new ApiException(
                  422,
                  "idempotency_key_reused",
                  "this Idempotency-Key was used with a different request; use a new key for a new request");
            }
            if ("in_flight".equals(rs.getString(2))) {
              throw ApiException.conflict("a request with this Idempotency-Key is still in progress; retry later");
            }
            return new Replay(rs.getInt(3), rs.getString(4), rs.getString(5));
          }
        }
      }
      throw ApiException.conflict("a request with this Idempotency-Key is still in progress; retry later");
    } catch (SQLException e) {
      throw new DatabaseException("idempotency claim failed", e);
    }
  }

  public void complete(Proceed claim, int status, String contentType, String body) {
    update(
        "UPDATE idempotency_records SET state = 'done', status = ?, content_type = ?, body = ?"
            + " WHERE api_key_id = ? AND idempotency_key = ? AND state = 'in_flight'",
        claim,
        status,
        contentType,
        body);
  }

  public void release(Proceed claim) {
    update(
        "DELETE FROM idempotency_records WHERE api_key_id = ? AND idempotency_key = ? AND state = 'in_flight'",
        claim);
  }

  private void update(String sql, Proceed claim, Object... leading) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (Object v : leading) {
        ps.setObject(i++, v);
      }
      ps.setObject(i++, claim.apiKeyId());
      ps.setString(i, claim.key());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("idempotency record update failed", e);
    }
  }

  /** Deletes one batch of expired records; returns how many. Safe on several replicas at once. */
  public int purgeExpired(int batch) {
    String sql =
        """
        DELETE FROM idempotency_records WHERE ctid IN (
          SELECT ctid FROM idempotency_records WHERE expires_at < statement_timestamp()
          LIMIT ? FOR UPDATE SKIP LOCKED)
        """;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, batch);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("idempotency purge failed", e);
    }
  }

  /** The fingerprint a key is bound to: method, path and the body compared by meaning. */
  public static byte[] hash(String method, String path, byte[] body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
      sha.update(canonical(body));
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] canonical(byte[] body) {
    if (body.length == 0) {
      return body;
    }
    try {
      JsonNode tree = CANONICAL.readTree(body);
      return CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(tree, Object.class));
    } catch (java.io.IOException | RuntimeException e) {
      // Not JSON (the request will fail validation anyway): compare the bytes.
      return body;
    }
  }
}
