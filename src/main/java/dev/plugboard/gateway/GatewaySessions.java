package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ChangeFeed;
import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.HeardCache;
import dev.plugboard.mcp.McpClient.Kind;
import dev.plugboard.mcp.McpClient.UpstreamSession;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Gateway sessions in PostgreSQL, the only place they exist: an agent's session id (opaque, random,
 * stored as its SHA-256) bound to the API key that opened it and either to one connection, with what
 * is needed to reach the upstream session again, or (the aggregate endpoint) to no connection, with
 * one upstream session per connection it has used.
 *
 * <p>Each replica caches the rows it has served (by id hash), so a busy session costs no database
 * round trip per message: any change to a row but its touch is announced by NOTIFY (migration V16)
 * and drops it on every replica within 1 s, and a copy whose last use is older than the touch
 * interval is read (and touched) again, so neither an idle end nor another replica's touch is
 * missed.
 */
@ApplicationScoped
public class GatewaySessions {

  /**
   * A live session: its connection and upstream state (per-connection sessions), or, for an
   * aggregate session (connectionId null), its upstream sessions by connection and the fingerprint
   * of what it last listed (null: never listed). A per-connection session whose upstream is null
   * was opened by Plugboard alone on a connection that needed a person. {@code elicitationUrl}: the
   * agent declared URL elicitation at initialize; {@code capabilities}: what an aggregate session's
   * agent offers upstreams (sampling, elicitation, roots), empty for per-connection sessions.
   */
  public record Session(
      UUID connectionId, UpstreamSession upstream, Map<UUID, UpstreamSession> upstreams, String listedFingerprint, boolean elicitationUrl, ObjectNode capabilities) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "connection_id, upstream_kind, upstream_session_id, protocol_version, upstreams, listed_fingerprint, elicitation_url, client_capabilities";

  private static final int CACHE_MAX = 50_000;

  /** A row as this replica last read it: the session, its key, and when it was last marked used ({@link System#nanoTime()}). */
  private record Cached(Session session, UUID apiKeyId, long usedAt) {
    /** Whether it is this key's session on this connection (null: an aggregate session). */
    boolean of(UUID key, UUID connectionId) {
      return apiKeyId.equals(key) && Objects.equals(session.connectionId(), connectionId);
    }
  }

  private final DataSource db;
  private final GatewayConfig config;
  private final HeardCache<String, Cached> cache;

  GatewaySessions(DataSource db, GatewayConfig config, ChangeFeed feed) {
    this.db = db;
    this.config = config;
    this.cache = feed.cache(ChangeFeed.SESSION, k -> k, CACHE_MAX);
  }

  /** Stores a new session on one connection and returns its id, shown to the agent once. */
  public String open(UUID apiKeyId, UUID connectionId, UpstreamSession upstream, boolean elicitationUrl) {
    String id = newId();
    long generation = cache.generation();
    update(
        "INSERT INTO gateway_sessions (id_hash, api_key_id, connection_id, upstream_kind, upstream_session_id, protocol_version, elicitation_url)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ps -> {
          ps.setBytes(1, hash(id));
          ps.setObject(2, apiKeyId);
          ps.setObject(3, connectionId);
          ps.setString(4, upstream.kind() == null ? null : upstream.kind().name());
          ps.setString(5, upstream.sessionId());
          ps.setString(6, upstream.protocolVersion());
          ps.setBoolean(7, elicitationUrl);
        });
    UpstreamSession kept = upstream.kind() == null ? null : upstream;
    cached(id, new Session(connectionId, kept, new LinkedHashMap<>(), null, elicitationUrl, JSON.createObjectNode()), apiKeyId, generation);
    return id;
  }

  /** A session this replica has just written: its next message needs no read. */
  private void cached(String id, Session session, UUID apiKeyId, long generation) {
    cache.put(HexFormat.of().formatHex(hash(id)), new Cached(session, apiKeyId, System.nanoTime()), generation);
  }

  /**
   * Stores a new session on a connection that needs a person, with no upstream session yet (opened
   * by the first message after the person has authorized); {@code protocolVersion}: the agent's.
   */
  public String openWaiting(UUID apiKeyId, UUID connectionId, String protocolVersion, boolean elicitationUrl) {
    return open(apiKeyId, connectionId, new UpstreamSession(null, null, protocolVersion), elicitationUrl);
  }

  /** Keeps the upstream session opened late for a per-connection session. */
  public void attach(String id, UpstreamSession upstream) {
    update(
        "UPDATE gateway_sessions SET upstream_kind = ?, upstream_session_id = ?, protocol_version = ? WHERE id_hash = ? AND connection_id IS NOT NULL",
        ps -> {
          ps.setString(1, upstream.kind().name());
          ps.setString(2, upstream.sessionId());
          ps.setString(3, upstream.protocolVersion());
          ps.setBytes(4, hash(id));
        });
    forget(id);
  }

  /** Stores a new aggregate session, with no upstream session yet and what its agent offers upstreams, and returns its id. */
  public String openAggregate(UUID apiKeyId, boolean elicitationUrl, ObjectNode capabilities) {
    String id = newId();
    long generation = cache.generation();
    update(
        "INSERT INTO gateway_sessions (id_hash, api_key_id, upstreams, elicitation_url, client_capabilities) VALUES (?, ?, '{}'::jsonb, ?, ?::jsonb)",
        ps -> {
          ps.setBytes(1, hash(id));
          ps.setObject(2, apiKeyId);
          ps.setBoolean(3, elicitationUrl);
          ps.setString(4, capabilities.toString());
        });
    cached(id, new Session(null, null, new LinkedHashMap<>(), null, elicitationUrl, capabilities.deepCopy()), apiKeyId, generation);
    return id;
  }

  /** Keeps (or replaces) the aggregate session's upstream session on {@code connectionId}. */
  public void putUpstream(String id, UUID connectionId, UpstreamSession upstream) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("kind", upstream.kind().name());
    entry.put("session_id", upstream.sessionId());
    entry.put("protocol_version", upstream.protocolVersion());
    update(
        "UPDATE gateway_sessions SET upstreams = upstreams || jsonb_build_object(?::text, ?::jsonb) WHERE id_hash = ? AND upstreams IS NOT NULL",
        ps -> {
          ps.setString(1, connectionId.toString());
          ps.setString(2, entry.toString());
          ps.setBytes(3, hash(id));
        });
    forget(id);
  }

  /** Remembers the fingerprint of what the aggregate session was last shown. */
  public void listed(String id, String fingerprint) {
    update(
        "UPDATE gateway_sessions SET listed_fingerprint = ? WHERE id_hash = ?",
        ps -> {
          ps.setString(1, fingerprint);
          ps.setBytes(2, hash(id));
        });
    forget(id);
  }

  /**
   * The session {@code id} of this key on this connection (null: an aggregate session), marked
   * used; empty when there is none, it belongs to another key or connection, or it has been idle
   * too long. From this replica's cache while its last use is younger than the touch interval.
   */
  /** {@link #use} when it needs no statement (for an event loop): cached, and no touch due; else empty. */
  Optional<Session> usedLately(String id, UUID apiKeyId, UUID connectionId) {
    return cache.peek(HexFormat.of().formatHex(hash(id))).filter(c -> c.of(apiKeyId, connectionId) && usedLately(c)).map(Cached::session);
  }

  /** Used within the touch interval: live, and no write due. */
  private boolean usedLately(Cached c) {
    return System.nanoTime() - c.usedAt() < touchInterval().toNanos();
  }

  public Optional<Session> use(String id, UUID apiKeyId, UUID connectionId) {
    byte[] hash = hash(id);
    String key = HexFormat.of().formatHex(hash);
    Optional<Cached> cached = cache.peek(key);
    if (cached.isPresent()) {
      Cached c = cached.get();
      if (!c.of(apiKeyId, connectionId)) {
        return Optional.empty();
      }
      if (usedLately(c)) {
        return Optional.of(c.session());
      }
    }
    long generation = cache.generation();
    Optional<Cached> read = useInDatabase(hash, apiKeyId, connectionId);
    read.ifPresent(c -> cache.put(key, c, generation));
    return read.map(Cached::session);
  }

  /**
   * last_used_at is written only once it is a thirtieth of the idle timeout old (1 min of 30), so a
   * busy session costs no new row version and index entry per message: a session may end up to that
   * much before its exact idle time.
   */
  private java.time.Duration touchInterval() {
    return java.time.Duration.ofMillis(Math.max(1, config.sessionIdleTimeout().toMillis() / 30));
  }

  /** One statement: the live row of this key and connection, touched when its last use is older than the touch interval. */
  private Optional<Cached> useInDatabase(byte[] hash, UUID apiKeyId, UUID connectionId) {
    long touchMillis = touchInterval().toMillis();
    String sql =
        "WITH s AS (SELECT id_hash, last_used_at, " + COLUMNS + " FROM gateway_sessions WHERE id_hash = ? AND api_key_id = ? AND "
            + (connectionId == null ? "connection_id IS NULL" : "connection_id = ?")
            + " AND last_used_at > now() - ? * interval '1 millisecond'),"
            + " touched AS (UPDATE gateway_sessions g SET last_used_at = now() FROM s WHERE g.id_hash = s.id_hash"
            + " AND s.last_used_at < now() - interval '" + touchMillis + " milliseconds')"
            + " SELECT " + COLUMNS + ", CASE WHEN s.last_used_at < now() - interval '" + touchMillis + " milliseconds' THEN 0"
            + " ELSE (extract(epoch FROM now() - s.last_used_at) * 1000)::bigint END AS unused_ms FROM s";
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int next = 1;
      ps.setBytes(next++, hash);
      ps.setObject(next++, apiKeyId);
      if (connectionId != null) {
        ps.setObject(next++, connectionId);
      }
      ps.setLong(next, config.sessionIdleTimeout().toMillis());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long usedAt = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(rs.getLong("unused_ms"));
        return Optional.of(new Cached(session(rs), apiKeyId, usedAt));
      }
    } catch (SQLException e) {
      throw new DatabaseException("gateway session lookup failed", e);
    }
  }

  /** Deletes the session {@code id} of this key on this connection (null: aggregate), idle or not, and returns it. */
  public Optional<Session> close(String id, UUID apiKeyId, UUID connectionId) {
    Optional<Session> closed = one("DELETE FROM gateway_sessions WHERE id_hash = ? AND api_key_id = ? AND %s RETURNING " + COLUMNS, id, apiKeyId, connectionId);
    forget(id);
    return closed;
  }

  /** This replica's own change to a session's row leaves its cache at once (others hear the NOTIFY). */
  private void forget(String id) {
    cache.invalidate(HexFormat.of().formatHex(hash(id)));
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

  /** Runs {@code sql}, whose {@code %s} becomes the condition on the connection. */
  private Optional<Session> one(String sql, String id, UUID apiKeyId, UUID connectionId) {
    String statement = String.format(sql, connectionId == null ? "connection_id IS NULL" : "connection_id = ?");
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(statement)) {
      ps.setBytes(1, hash(id));
      ps.setObject(2, apiKeyId);
      if (connectionId != null) {
        ps.setObject(3, connectionId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(session(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("gateway session lookup failed", e);
    }
  }

  private static Session session(ResultSet rs) throws SQLException {
    String kind = rs.getString(2);
    UpstreamSession upstream = kind == null ? null : new UpstreamSession(Kind.valueOf(kind), rs.getString(3), rs.getString(4));
    return new Session(rs.getObject(1, UUID.class), upstream, upstreams(rs.getString(5)), rs.getString(6), rs.getBoolean(7), capabilities(rs.getString(8)));
  }

  private static Map<UUID, UpstreamSession> upstreams(String json) throws SQLException {
    Map<UUID, UpstreamSession> out = new LinkedHashMap<>();
    if (json == null) {
      return out;
    }
    try {
      JSON.readTree(json)
          .fields()
          .forEachRemaining(
              e -> {
                JsonNode u = e.getValue();
                String session = u.path("session_id").isTextual() ? u.get("session_id").asText() : null;
                out.put(UUID.fromString(e.getKey()), new UpstreamSession(Kind.valueOf(u.path("kind").asText()), session, u.path("protocol_version").asText()));
              });
      return out;
    } catch (IOException e) {
      throw new SQLException("unreadable upstream sessions", e);
    }
  }

  private static ObjectNode capabilities(String json) throws SQLException {
    if (json == null) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(json) instanceof ObjectNode caps ? caps : JSON.createObjectNode();
    } catch (IOException e) {
      throw new SQLException("unreadable client capabilities", e);
    }
  }

  private static String newId() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
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
