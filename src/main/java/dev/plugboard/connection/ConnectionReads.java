package dev.plugboard.connection;

import dev.plugboard.api.DatabaseException;
import dev.plugboard.connection.ConnectionViews.ListView;
import dev.plugboard.credential.CredentialService.StoredHeader;
import dev.plugboard.tenancy.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The hot reads of the API (a connection by id, a page of connections) as plain JDBC: one statement
 * each with the header/token presence flags in it, and no ORM session, whose set-up, query
 * translation and entity hydration cost several times the statement itself (see
 * docs/performance.md).
 */
@ApplicationScoped
class ConnectionReads {

  /**
   * Visible to a caller (DESIGN §3): own personal rows; shared rows while sharing is on, and always
   * to their creator. Binds team, user, sharing, user. The one spelling of the rule: writes lock
   * through it too.
   */
  static final String VISIBLE =
      "c.team_id = ? AND ((NOT c.shared AND c.user_id = ?) OR (c.shared AND (? OR c.created_by = ?)))";

  private static final String VIEW_COLUMNS =
      """
      c.id, c.name, c.slug, c.type, c.provider, c.user_id, c.team_id, c.server_url, c.transport_type,
      c.auth_method, c.composio_mcp_id, c.custom_integration_id, c.icon_url, c.oauth_provider,
      c.oauth_provider_key, c.oauth_scopes, c.integration_id, c.shared, c.allowed_tools, c.created_by, c.broken_at,
      c.broken_reason, c.created_at, c.updated_at,
      EXISTS (SELECT 1 FROM connection_headers h WHERE h.connection_id = c.id) AS has_headers,
      EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.connection_id = c.id) AS has_tokens
      """;

  private static final String BY_ID =
      "SELECT " + VIEW_COLUMNS + " FROM connections c WHERE c.id = ? AND " + VISIBLE;

  @Inject DataSource dataSource;

  Optional<ConnectionView> byId(Caller caller, UUID id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(BY_ID)) {
      ps.setObject(1, id);
      bindVisible(ps, 2, caller);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(ConnectionView.of(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("reading a connection failed", e);
    }
  }

  /** A connection and its stored headers, in their order (secret values still sealed). */
  record WithHeaders(ConnectionView view, List<StoredHeader> headers) {}

  private static final String WITH_HEADERS =
      "SELECT " + VIEW_COLUMNS + ", h.id AS header_id, h.name AS header_name, h.value AS header_value, h.secret AS header_secret"
          + " FROM connections c LEFT JOIN connection_headers h ON h.connection_id = c.id WHERE c.id = ?";

  /**
   * The connection {@code id} with its headers in one statement (a row per header): the gateway's one
   * read per message. {@code caller} null: no visibility rule (a runtime's resolve, the service's own
   * work).
   */
  Optional<WithHeaders> withHeaders(UUID id, Caller caller) {
    String sql = WITH_HEADERS + (caller == null ? "" : " AND " + VISIBLE) + " ORDER BY h.position";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      if (caller != null) {
        bindVisible(ps, 2, caller);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        ConnectionView view = ConnectionView.of(rs);
        List<StoredHeader> headers = new ArrayList<>();
        do {
          UUID headerId = rs.getObject("header_id", UUID.class);
          if (headerId != null) {
            headers.add(new StoredHeader(headerId, rs.getString("header_name"), rs.getString("header_value"), rs.getBoolean("header_secret")));
          }
        } while (rs.next());
        return Optional.of(new WithHeaders(view, headers));
      }
    } catch (SQLException e) {
      throw new DatabaseException("reading a connection failed", e);
    }
  }

  /** COUNT, then the page, newest first (skipped when the offset is past the end). */
  ListView page(Caller caller, String type, int limit, long offset) {
    String where = " FROM connections c WHERE " + VISIBLE + (type == null ? "" : " AND c.type = ?");
    try (Connection c = dataSource.getConnection()) {
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*)" + where)) {
        bindFilter(ps, caller, type);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<ConnectionView> views = new ArrayList<>(Math.min(limit, (int) Math.max(0, total - offset)));
      if (offset < total) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT " + VIEW_COLUMNS + where + " ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?")) {
          int next = bindFilter(ps, caller, type);
          ps.setInt(next, limit);
          ps.setLong(next + 1, offset);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              views.add(ConnectionView.of(rs));
            }
          }
        }
      }
      return new ListView(views, total, limit, offset);
    } catch (SQLException e) {
      throw new DatabaseException("listing connections failed", e);
    }
  }

  /** Binds the four parameters of {@link #VISIBLE} from position {@code at}; returns the next position. */
  static int bindVisible(PreparedStatement ps, int at, Caller caller) throws SQLException {
    ps.setObject(at, caller.teamId());
    ps.setObject(at + 1, caller.userId());
    ps.setBoolean(at + 2, caller.connectionsSharing());
    ps.setObject(at + 3, caller.userId());
    return at + 4;
  }

  private static int bindFilter(PreparedStatement ps, Caller caller, String type) throws SQLException {
    int next = bindVisible(ps, 1, caller);
    if (type != null) {
      ps.setString(next++, type);
    }
    return next;
  }
}
