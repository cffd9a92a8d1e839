package dev.plugboard.gateway;

import dev.plugboard.api.DatabaseException;
import dev.plugboard.mcp.McpClient.Kind;
import dev.plugboard.mcp.McpClient.UpstreamSession;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Gateway sessions in PostgreSQL, the only place they exist: an agent's session id (opaque, random,
 * stored as its SHA-256) bound to the API key that opened it and to one connection, with what is
 * needed to reach the upstream session again.
 */
@ApplicationScoped
public class GatewaySessions {

  /** A live session: which connection it belongs to and its upstream state. */
  public record Session(UUID connectionId, UpstreamSession upstream) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = "connection_id, upstream_kind, upstream_session_id, protocol_version";

  private final DataSource db;
  private final GatewayConfig config;

  GatewaySessions(DataSource db, GatewayConfig config) {
    this.db = db;
    this.config = config;
  }

  /** Stores a new session and returns its id, shown to the agent once. */
  public String open(UUID apiKeyId, UUID connectionId, UpstreamSession upstream) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    update(
        "INSERT INTO gateway_sessions (id_hash, api_key_id, connection_id, upstream_kind, upstream_session_id, protocol_version)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        ps -> {
          ps.setBytes(1, hash(id));
          ps.setObject(2, apiKeyId);
          ps.setObject(3, connectionId);
          ps.setString(4, upstream.kind().name());
          ps.setString(5, upstream.sessionId());
          ps.setString(6, upstream.protocolVersion());
        });
    return id;
  }

  /**
   * The session {@code id} of this key on this connection, marked used; empty when there is none,
   * it belongs to another key or connection, or it has been idle too long.
   */
  public Optional<Session> use(String id, UUID apiKeyId, UUID connectionId) {
    return one(
        "UPDATE gateway_sessions SET last_used_at = now() WHERE id_hash = ? AND api_key_id = ? AND connection_id = ?"
            + " AND last_used_at > now() - ? * interval '1 millisecond' RETURNING " + COLUMNS,
        id, apiKeyId, connectionId, true);
  }

  /** Deletes the session {@code id} of this key on this connection (idle or not) and returns it. */
  public Optional<Session> close(String id, UUID apiKeyId, UUID connectionId) {
    return one("DELETE FROM gateway_sessions WHERE id_hash = ? AND api_key_id = ? AND connection_id = ? RETURNING " + COLUMNS, id, apiKeyId, connectionId, false);
  }

  /** Deletes up to {@code limit} sessions idle for longer than the timeout; other replicas skip them. */
  public List<Session> purgeIdle(int limit) {
    List<Session> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM gateway_sessions WHERE id_hash IN (SELECT id_hash FROM gateway_sessions"
                    + " WHERE last_used_at <= now() - ? * interval '1 millisecond' LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)) {
      ps.setLong(1, config.sessionIdleTimeout().toMillis());
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(session(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new DatabaseException("gateway session purge failed", e);
    }
  }

  private Optional<Session> one(String sql, String id, UUID apiKeyId, UUID connectionId, boolean idleBound) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setBytes(1, hash(id));
      ps.setObject(2, apiKeyId);
      ps.setObject(3, connectionId);
      if (idleBound) {
        ps.setLong(4, config.sessionIdleTimeout().toMillis());
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(session(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("gateway session lookup failed", e);
    }
  }

  private static Session session(ResultSet rs) throws SQLException {
    return new Session(
        rs.getObject(1, UUID.class), new UpstreamSession(Kind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4)));
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private void update(String sql, Binder binder) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("gateway session write failed", e);
    }
  }

  private static byte[] hash(String id) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
