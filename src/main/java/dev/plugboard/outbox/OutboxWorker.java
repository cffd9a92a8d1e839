package dev.plugboard.outbox;

import dev.plugboard.api.DatabaseException;
import dev.plugboard.outbox.OutboxHandler.Outcome;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The dispatcher: claims due jobs ({@code FOR UPDATE SKIP LOCKED}, then a lease in the same
 * statement, committed before any network call), runs each through its {@link OutboxHandler}, and
 * stores the outcome with the next attempt time. A replica that dies mid-attempt leaves a lease that
 * expires, and then any replica takes the job again: at least once, never two attempts at once.
 */
@ApplicationScoped
public class OutboxWorker {

  private static final Logger LOG = Logger.getLogger(OutboxWorker.class);
  /** Drain passes per call: bounded, the next poll or maintenance call continues. */
  private static final int MAX_BATCHES = 50;

  private static final String DUE =
      "status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())";

  private static final String CLAIM =
      "UPDATE outbox_jobs j SET lease_owner = ?, lease_until = now() + ? * interval '1 millisecond',"
          + " attempts = j.attempts + 1 WHERE j.id IN (SELECT id FROM outbox_jobs WHERE " + DUE + " %s"
          + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)"
          + " RETURNING j.id, j.kind, j.target, j.event_id, j.payload, j.attempts";

  @Inject DataSource dataSource;
  @Inject OutboxConfig config;
  @Inject @Any Instance<OutboxHandler> handlers;

  private final Map<String, Long> pending = new ConcurrentHashMap<>();
  private volatile ScheduledThreadPoolExecutor executor;

  /** Tries {@code ids} after the configured delay, on this replica's workers (post-commit path). */
  void soon(List<UUID> ids) {
    Runnable run =
        () -> {
          for (UUID id : ids) {
            try {
              claim(" AND id = ?", id, 1).forEach(this::attempt);
            } catch (RuntimeException e) {
              // The dispatcher takes the job later; nothing is lost.
              LOG.warnf("immediate attempt of outbox job %s failed: %s", id, e.getClass().getName());
            }
          }
        };
    executor().schedule(run, config.afterCommitDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Scheduled(
      identity = "plugboard-outbox",
      every = "${plugboard.outbox.poll-interval:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void poll() {
    try {
      drain();
    } catch (RuntimeException e) {
      LOG.warnf("outbox dispatcher pass failed: %s", e.getClass().getName());
    }
  }

  /** Runs due jobs, batch by batch, until none is due (bounded); returns how many were attempted. */
  public long drain() {
    long total = 0;
    for (int batch = 0; batch < MAX_BATCHES; batch++) {
      List<Claimed> jobs = claim("", null, config.batchSize());
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (Claimed job : jobs) {
        running.add(CompletableFuture.runAsync(() -> attempt(job), executor()));
      }
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
      total += jobs.size();
      if (jobs.size() < config.batchSize()) {
        break;
      }
    }
    countPending();
    return total;
  }

  /**
   * Deletes jobs that ended before {@code cutoff}, then events older than it that no job refers to,
   * batch by batch; returns how many rows went.
   */
  public long purgeEndedBefore(java.time.Instant cutoff, int batch) {
    long total = 0;
    for (String sql :
        List.of(
            "DELETE FROM outbox_jobs WHERE id IN (SELECT id FROM outbox_jobs WHERE status <> 'pending' AND ended_at < ?"
                + " LIMIT ? FOR UPDATE SKIP LOCKED)",
            "DELETE FROM outbox_events WHERE id IN (SELECT e.id FROM outbox_events e WHERE e.created_at < ?"
                + " AND NOT EXISTS (SELECT 1 FROM outbox_jobs j WHERE j.event_id = e.id) LIMIT ? FOR UPDATE SKIP LOCKED)")) {
      int n;
      do {
        try (Connection c = dataSource.getConnection();
            PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setTimestamp(1, java.sql.Timestamp.from(cutoff));
          ps.setInt(2, batch);
          n = ps.executeUpdate();
        } catch (SQLException e) {
          throw new DatabaseException("outbox purge failed", e);
        }
        total += n;
      } while (n == batch);
    }
    return total;
  }

  /** Pending jobs of {@code kind} as of the last dispatcher pass (a metric). */
  public long pending(String kind) {
    return pending.getOrDefault(kind, 0L);
  }

  private List<Claimed> claim(String condition, UUID id, int limit) {
    UUID owner = UUID.randomUUID();
    List<Claimed> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(String.format(CLAIM, condition))) {
      int i = 1;
      ps.setObject(i++, owner);
      ps.setLong(i++, config.lease().toMillis());
      if (id != null) {
        ps.setObject(i++, id);
      }
      ps.setInt(i, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Claimed(
                  new OutboxJob(
                      rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6)),
                  owner));
        }
      }
    } catch (SQLException e) {
      throw new DatabaseException("outbox claim failed", e);
    }
    return out;
  }

  /** A job and the claim that owns it until its outcome is stored. */
  private record Claimed(OutboxJob job, UUID owner) {}

  private void attempt(Claimed claimed) {
    OutboxJob job = claimed.job();
    UUID owner = claimed.owner();
    Optional<OutboxHandler> handler = handler(job.kind());
    Outcome outcome;
    if (handler.isEmpty()) {
      outcome = Outcome.giveUp(null, "no handler for job kind " + job.kind());
    } else {
      try {
        outcome = handler.get().attempt(job);
      } catch (RuntimeException e) {
        outcome = Outcome.retry(null, "attempt failed: " + e.getClass().getSimpleName(), null);
      }
    }
    String state = record(job, owner, outcome);
    if (state != null && handler.isPresent()) {
      handler.get().settled(job, state);
    }
  }

  private Optional<OutboxHandler> handler(String kind) {
    for (OutboxHandler h : handlers) {
      if (h.kind().equals(kind)) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }

  /** Stores the outcome if this claim still owns the job; returns the state, or null when it lost it. */
  private String record(OutboxJob job, UUID owner, Outcome outcome) {
    String state;
    Duration wait = null;
    switch (outcome.kind()) {
      case DONE -> state = "succeeded";
      case GIVE_UP -> state = "failed";
      default -> {
        Optional<Duration> next = Retries.next(config.retrySchedule(), job.attempt(), outcome.retryAfter());
        state = next.isPresent() ? "retrying" : "failed";
        wait = next.orElse(null);
      }
    }
    String sql =
        "retrying".equals(state)
            ? "UPDATE outbox_jobs SET next_attempt_at = now() + ? * interval '1 millisecond', lease_owner = NULL,"
                + " lease_until = NULL, last_status_code = ?, last_error = ? WHERE id = ? AND lease_owner = ?"
            : "UPDATE outbox_jobs SET status = ?, ended_at = now(), lease_owner = NULL, lease_until = NULL,"
                + " last_status_code = ?, last_error = ? WHERE id = ? AND lease_owner = ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if ("retrying".equals(state)) {
        ps.setLong(1, wait.toMillis());
      } else {
        ps.setString(1, state);
      }
      ps.setObject(2, outcome.statusCode());
      ps.setString(3, truncate(outcome.error()));
      ps.setObject(4, job.id());
      ps.setObject(5, owner);
      if (ps.executeUpdate() == 0) {
        LOG.warnf("outbox job %s: its lease ran out before the outcome was stored", job.id());
        return null;
      }
    } catch (SQLException e) {
      // The lease runs out and another pass retries the job: at least once.
      LOG.warnf("outbox job %s: storing the outcome failed: %s", job.id(), e.getClass().getName());
      return null;
    }
    if (!"succeeded".equals(state)) {
      LOG.infof("outbox job %s (%s) attempt %d: %s%s", job.id(), job.kind(), job.attempt(), state,
          outcome.error() == null ? "" : " (" + outcome.error() + ")");
    }
    return state;
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 500 ? s : s.substring(0, 500);
  }

  private void countPending() {
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT kind, count(*) FROM outbox_jobs WHERE status = 'pending' GROUP BY kind");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      return; // a metric; the next pass counts again
    }
    pending.keySet().retainAll(counts.keySet());
    pending.putAll(counts);
  }

  private ScheduledThreadPoolExecutor executor() {
    ScheduledThreadPoolExecutor e = executor;
    if (e == null) {
      synchronized (this) {
        if (executor == null) {
          AtomicInteger n = new AtomicInteger();
          ScheduledThreadPoolExecutor created =
              new ScheduledThreadPoolExecutor(
                  Math.max(1, config.workers()),
                  r -> {
                    Thread t = new Thread(r, "plugboard-outbox-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
          created.setRemoveOnCancelPolicy(true);
          executor = created;
        }
        e = executor;
      }
    }
    return e;
  }

  @PreDestroy
  void stop() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
