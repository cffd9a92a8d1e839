package dev.plugboard.connection;

import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.Times;
import dev.plugboard.tenancy.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Records every use of a connection's credentials (an INSERT committed before the use's answer goes
 * out, in a transaction of its own so it neither joins nor breaks the caller's) and reads the trail
 * back. Never stores arguments, results or header values. Counts each record in {@code
 * plugboard_connection_activity_total{kind,outcome}}.
 *
 * <p>Concurrent records are committed together (group commit): each caller queues its row, and
 * whichever holds the writer lock inserts every row queued so far in one statement, so many calls at
 * once share one round trip and one commit instead of paying for one each. A caller still returns
 * only once its own row is committed.
 */
@ApplicationScoped
@Startup // its metrics are exported from the start, at 0, not from the first record on
public class ActivityLog {

  private static final Logger LOG = Logger.getLogger(ActivityLog.class);
  /** Tool names come from agents; a longer one is stored cut (MCP names are at most 128). */
  static final int MAX_TOOL = 256;

  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT =
      "INSERT INTO connection_activity (at, api_key_id, user_id, team_id, connection_id, kind, tool, outcome,"
          + " upstream_status, duration_ms) VALUES " + ROW;
  /** Rows one statement inserts at most (10 parameters each). */
  static final int MAX_BATCH = 64;
  private static final String COLUMNS =
      "at, kind, tool, outcome, upstream_status, duration_ms, api_key_id, user_id, connection_id, team_id";

  @Inject DataSource dataSource;
  @Inject Vertx vertx;
  private final ConcurrentLinkedQueue<Pending> queued = new ConcurrentLinkedQueue<>();
  /** A worker is writing the rows queued by {@link #recordCallThen}, or about to. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final ReentrantLock writer = new ReentrantLock();
  /** The INSERT of n rows, at index n - 1. */
  private final String[] inserts = new String[MAX_BATCH];
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
    Gauge.builder("plugboard.connection.activity.queued", queued, ConcurrentLinkedQueue::size)
        .description("activity records waiting for the writer (group commit)")
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

  /**
   * Records a tools/call like {@link #record}, without waiting (for an event loop): {@code then}
   * runs (on a worker) once the row is committed, or could not be (logged and counted). One worker
   * writes the rows queued meanwhile together, instead of a worker per row waiting for the writer.
   */
  public void recordCallThen(Caller caller, UUID connectionId, String tool, Activity.Outcome outcome, Integer upstreamStatus, long durationMs, Runnable then) {
    Entry e = new Entry(caller.apiKeyId(), caller.userId(), caller.teamId(), connectionId, Activity.Kind.TOOLS_CALL, tool, outcome, upstreamStatus, durationMs);
    counters.get(e.kind()).get(outcome).increment();
    queued.add(new Pending(e, cut(tool), then));
    drainSoon();
  }

  /** Has a worker write what is queued, unless one is at it already. */
  private void drainSoon() {
    if (draining.compareAndSet(false, true)) {
      vertx.executeBlocking(this::drain, false);
    }
  }

  private Void drain() {
    writer.lock();
    try {
      List<Pending> batch;
      while (!(batch = nextBatch()).isEmpty()) {
        insertAll(batch);
      }
    } finally {
      writer.unlock();
      draining.set(false);
    }
    if (!queued.isEmpty()) { // queued after the last batch was taken, by a caller that saw this drain running
      drainSoon();
    }
    return null;
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
      notRecorded(e, x);
    }
  }

  private void notRecorded(Entry e, RuntimeException x) {
    writeFailures.increment();
    LOG.warnf("activity of connection %s (%s %s) not recorded: %s", e.connectionId(), e.kind().wire(), e.outcome().wire(), x.getClass().getName());
  }

  private static String cut(String tool) {
    return tool == null || tool.length() <= MAX_TOOL ? tool : tool.substring(0, MAX_TOOL);
  }

  /**
   * Records one use and throws {@link DatabaseException} when it cannot: for uses that must not
   * proceed unrecorded (a resolve hands the secrets out only once its record is stored).
   */
  void write(Entry e) {
    counters.get(e.kind()).get(e.outcome()).increment();
    String tool = cut(e.tool());
    if (QuarkusTransaction.isActive()) {
      QuarkusTransaction.requiringNew().run(() -> insert(e, tool)); // neither joins nor breaks the caller's
    } else {
      grouped(new Pending(e, tool)); // outside a transaction the pool's connection autocommits: each INSERT is its own
    }
  }

  /**
   * A row waiting in the queue; {@code done} and {@code failure} are set by the writer, under its
   * lock, which then runs {@code then} (null: the caller waits instead).
   */
  private static final class Pending {
    final Entry entry;
    final String tool;
    final Runnable then;
    final OffsetDateTime at = OffsetDateTime.ofInstant(Times.now(), ZoneOffset.UTC);
    boolean done;
    RuntimeException failure;

    Pending(Entry entry, String tool) {
      this(entry, tool, null);
    }

    Pending(Entry entry, String tool, Runnable then) {
      this.entry = entry;
      this.tool = tool;
      this.then = then;
    }
  }

  /**
   * Queues {@code mine}, then takes the writer lock: by then an earlier holder may have written it
   * with its own; if not, this caller writes everything queued (its row included) in turn.
   */
  private void grouped(Pending mine) {
    queued.add(mine);
    writer.lock();
    try {
      while (!mine.done) {
        insertAll(nextBatch());
      }
    } finally {
      writer.unlock();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
  }

  private List<Pending> nextBatch() {
    List<Pending> batch = new ArrayList<>();
    for (Pending p; batch.size() < MAX_BATCH && (p = queued.poll()) != null; ) {
      batch.add(p);
    }
    return batch;
  }

  /** One statement for the batch; if it fails, one per row, so a row the database refuses costs no other its record. */
  private void insertAll(List<Pending> batch) {
    try {
      insert(batch);
    } catch (DatabaseException whole) {
      if (batch.size() == 1) {
        batch.get(0).failure = whole;
      } else {
        for (Pending p : batch) {
          try {
            insert(List.of(p));
          } catch (DatabaseException one) {
            p.failure = one;
          }
        }
      }
    }
    batch.forEach(p -> p.done = true);
    for (Pending p : batch) {
      if (p.then != null) {
        if (p.failure != null) {
          notRecorded(p.entry, p.failure);
        }
        try {
          p.then.run();
        } catch (RuntimeException x) {
          LOG.warnf("after recording the activity of connection %s: %s", p.entry.connectionId(), x.getClass().getName());
        }
      }
    }
  }

  private void insert(Entry e, String tool) {
    insert(List.of(new Pending(e, tool)));
  }

  private void insert(List<Pending> rows) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(insertOf(rows.size()))) {
      int i = 0;
      for (Pending p : rows) {
        Entry e = p.entry;
        ps.setObject(++i, p.at);
        ps.setObject(++i, e.apiKeyId());
        ps.setObject(++i, e.userId());
        ps.setObject(++i, e.teamId());
        ps.setObject(++i, e.connectionId());
        ps.setString(++i, e.kind().wire());
        ps.setString(++i, p.tool);
        ps.setString(++i, e.outcome().wire());
        if (e.upstreamStatus() == null) {
          ps.setNull(++i, Types.INTEGER);
        } else {
          ps.setInt(++i, e.upstreamStatus());
        }
        ps.setLong(++i, Math.max(0, e.durationMs()));
      }
      ps.executeUpdate();
    } catch (SQLException x) {
      throw new DatabaseException("recording connection activity failed", x);
    }
  }

  private String insertOf(int rows) {
    String sql = inserts[rows - 1];
    if (sql == null) {
      sql = INSERT + (", " + ROW).repeat(rows - 1);
      inserts[rows - 1] = sql; // a race only builds the same string twice
    }
    return sql;
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
