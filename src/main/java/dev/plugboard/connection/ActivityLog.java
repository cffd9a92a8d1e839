package dev.plugboard.connection;

import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.Times;
import dev.plugboard.tenancy.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Records every use of a connection's credentials (one INSERT, in a transaction of its own so it
 * neither joins nor breaks the caller's) and reads the trail back. Never stores arguments, results
 * or header values. Counts each record in {@code plugboard_connection_activity_total{kind,outcome}}.
 */
@ApplicationScoped
public class ActivityLog {

  private static final Logger LOG = Logger.getLogger(ActivityLog.class);
  /** Tool names come from agents; a longer one is stored cut (MCP names are at most 128). */
  static final int MAX_TOOL = 256;

  private static final String INSERT =
      "INSERT INTO connection_activity (at, api_key_id, user_id, team_id, connection_id, kind, tool, outcome,"
          + " upstream_status, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String COLUMNS =
      "at, kind, tool, outcome, upstream_status, duration_ms, api_key_id, user_id, connection_id, team_id";

  @Inject DataSource dataSource;
  private final Map<Activity.Kind, Map<Activity.Outcome, Counter>> counters = new EnumMap<>(Activity.Kind.class);
  private final Counter writeFailures;

  @Inject
  ActivityLog(MeterRegistry registry) {
    for (Activity.Kind kind : Activity.Kind.values()) {
      Map<Activity.Outcome, Counter> byOutcome = new EnumMap<>(Activity.Outcome.class);
      for (Activity.Outcome outcome : Activity.Outcome.values()) {
        byOutcome.put(
            outcome,
            Counter.builder("plugboard.connection.activity")
                .description("uses of connection credentials")
                .tag("kind", kind.wire())
                .tag("outcome", outcome.wire())
                .register(registry));
      }
      counters.put(kind, byOutcome);
    }
    writeFailures =
        Counter.builder("plugboard.connection.activity.write.failures")
            .description("activity records that could not be stored")
            .register(registry);
  }

  /**
   * Records one use by an API-key caller (the gateway calls this for every tools/call it forwards or
   * refuses). Best effort: the call it describes has already happened, so a failed write is logged
   * and counted, never thrown.
   *
   * @param tool the tool name, or null when the use is not a tool call
   * @param upstreamStatus the upstream's HTTP status, or null when no upstream answer was read
   */
  public void record(
      Caller caller,
      UUID connectionId,
      Activity.Kind kind,
      String tool,
      Activity.Outcome outcome,
      Integer upstreamStatus,
      long durationMs) {
    quietly(new Entry(caller.apiKeyId(), caller.userId(), caller.teamId(), connectionId, kind, tool, outcome, upstreamStatus, durationMs));
  }

  /** One row of the trail. */
  record Entry(
      UUID apiKeyId,
      UUID userId,
      UUID teamId,
      UUID connectionId,
      Activity.Kind kind,
      String tool,
      Activity.Outcome outcome,
      Integer upstreamStatus,
      long durationMs) {

    /** A resolve through the /internal service token, which names no API key and no user. */
    static Entry resolve(ConnectionView c, Activity.Outcome outcome, long durationMs) {
      return new Entry(null, null, c.teamId(), c.id(), Activity.Kind.RESOLVE, null, outcome, null, durationMs);
    }
  }

  void quietly(Entry e) {
    try {
      write(e);
    } catch (RuntimeException x) {
      writeFailures.increment();
      LOG.warnf("activity of connection %s (%s %s) not recorded: %s", e.connectionId(), e.kind().wire(), e.outcome().wire(), x.getClass().getName());
    }
  }

  /**
   * Records one use and throws {@link DatabaseException} when it cannot: for uses that must not
   * proceed unrecorded (a resolve hands the secrets out only once its record is stored).
   */
  void write(Entry e) {
    counters.get(e.kind()).get(e.outcome()).increment();
    String tool = e.tool() == null || e.tool().length() <= MAX_TOOL ? e.tool() : e.tool().substring(0, MAX_TOOL);
    if (QuarkusTransaction.isActive()) {
      QuarkusTransaction.requiringNew().run(() -> insert(e, tool)); // neither joins nor breaks the caller's
    } else {
      insert(e, tool); // outside a transaction the pool's connection autocommits: the INSERT is its own
    }
  }

  private void insert(Entry e, String tool) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setObject(1, OffsetDateTime.ofInstant(Times.now(), ZoneOffset.UTC));
      ps.setObject(2, e.apiKeyId());
      ps.setObject(3, e.userId());
      ps.setObject(4, e.teamId());
      ps.setObject(5, e.connectionId());
      ps.setString(6, e.kind().wire());
      ps.setString(7, tool);
      ps.setString(8, e.outcome().wire());
      if (e.upstreamStatus() == null) {
        ps.setNull(9, Types.INTEGER);
      } else {
        ps.setInt(9, e.upstreamStatus());
      }
      ps.setLong(10, Math.max(0, e.durationMs()));
      ps.executeUpdate();
    } catch (SQLException x) {
      throw new DatabaseException("recording connection activity failed", x);
    }
  }

  /** A page of the trail, newest first, filtered by connection and/or team (null: any). */
  public Activity.Page page(UUID connectionId, UUID teamId, int limit, long offset) {
    String where =
        " FROM connection_activity WHERE true"
            + (connectionId == null ? "" : " AND connection_id = ?")
            + (teamId == null ? "" : " AND team_id = ?");
    try (Connection c = dataSource.getConnection()) {
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*)" + where)) {
        bind(ps, connectionId, teamId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<Activity.View> items = new ArrayList<>();
      if (offset < total) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + where + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?")) {
          int next = bind(ps, connectionId, teamId);
          ps.setInt(next, limit);
          ps.setLong(next + 1, offset);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              items.add(view(rs));
            }
          }
        }
      }
      return new Activity.Page(items, total, limit, offset);
    } catch (SQLException e) {
      throw new DatabaseException("reading connection activity failed", e);
    }
  }

  /** Deletes up to {@code batch} rows older than {@code cutoff}; returns how many. */
  int purgeOlderThan(Instant cutoff, int batch) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              try (Connection c = dataSource.getConnection();
                  PreparedStatement ps =
                      c.prepareStatement(
                          "DELETE FROM connection_activity WHERE id IN (SELECT id FROM connection_activity"
                              + " WHERE at < ? ORDER BY at LIMIT ? FOR UPDATE SKIP LOCKED)")) {
                ps.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                ps.setInt(2, batch);
                return ps.executeUpdate();
              } catch (SQLException e) {
                throw new DatabaseException("purging connection activity failed", e);
              }
            });
  }

  /** Binds the filters that are set; returns the next parameter position. */
  private static int bind(PreparedStatement ps, UUID connectionId, UUID teamId) throws SQLException {
    int next = 1;
    if (connectionId != null) {
      ps.setObject(next++, connectionId);
    }
    if (teamId != null) {
      ps.setObject(next++, teamId);
    }
    return next;
  }

  private static Activity.View view(ResultSet r) throws SQLException {
    OffsetDateTime at = r.getObject("at", OffsetDateTime.class);
    int status = r.getInt("upstream_status");
    Integer upstreamStatus = r.wasNull() ? null : status;
    return new Activity.View(
        Times.format(at.toInstant()),
        r.getString("kind"),
        r.getString("tool"),
        r.getString("outcome"),
        upstreamStatus,
        r.getLong("duration_ms"),
        r.getObject("api_key_id", UUID.class),
        r.getObject("user_id", UUID.class),
        r.getObject("connection_id", UUID.class),
        r.getObject("team_id", UUID.class));
  }
}
