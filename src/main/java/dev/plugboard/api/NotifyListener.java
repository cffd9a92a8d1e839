package dev.plugboard.api;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Hears PostgreSQL NOTIFY channels on a database connection of its own, on a daemon thread. A
 * heartbeat ({@code SELECT 1}) every {@code heartbeatMillis} proves the connection alive: PostgreSQL
 * delivers every notification committed before a statement ahead of that statement's result, so
 * after each heartbeat the listener has heard everything up to the moment it was sent. A lost
 * connection is dialled again with a growing back-off.
 */
public abstract class NotifyListener {

  private static final Logger LOG = Logger.getLogger(NotifyListener.class);
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final String channel;
  private final List<String> channels;
  private final int heartbeatMillis;
  private volatile boolean running;
  private Thread thread;
  private long backoff;

  /** Listens to {@code channel} (which names the thread and the connection) and {@code more}. */
  protected NotifyListener(String channel, int heartbeatMillis, String... more) {
    this.channel = channel;
    this.channels = Stream.concat(Stream.of(channel), Arrays.stream(more)).toList();
    this.heartbeatMillis = heartbeatMillis;
    this.backoff = heartbeatMillis;
  }

  protected abstract DataSource dataSource();

  /** Listening (again): anything may have changed while nobody listened. */
  protected abstract void connected();

  /** Notifications that arrived (never empty). */
  protected abstract void heard(PGNotification[] notifications);

  /** Everything committed before {@code sentNanos} ({@link System#nanoTime()}) has been heard. */
  protected void confirmed(long sentNanos) {}

  /** Not listening any more (until {@link #connected} again). */
  protected void disconnected() {}

  protected boolean running() {
    return running;
  }

  protected void startListening() {
    running = true;
    thread = new Thread(this::run, "plugboard-listener-" + channel);
    thread.setDaemon(true);
    thread.start();
  }

  protected void stopListening() {
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void run() {
    while (running) {
      try {
        listen();
      } catch (SQLException | RuntimeException e) {
        if (running) {
          LOG.debugf("listener of %s lost its connection (%s); retrying", channel, e.getClass().getName());
        }
      }
      disconnected();
      try {
        TimeUnit.MILLISECONDS.sleep(backoff); // a reconnect back-off, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  private void listen() throws SQLException {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      c.setNetworkTimeout(Runnable::run, Math.max(3_000, 3 * heartbeatMillis)); // a dead peer must end in an exception
      c.setClientInfo("ApplicationName", "plugboard-listener-" + channel); // visible in pg_stat_activity
      for (String listened : channels) {
        s.execute("LISTEN " + listened);
      }
      backoff = heartbeatMillis;
      PGConnection pg = c.unwrap(PGConnection.class);
      connected();
      try {
        while (running) {
          long sent = System.nanoTime();
          s.execute("SELECT 1");
          deliver(pg.getNotifications());
          confirmed(sent);
          deliver(pg.getNotifications(heartbeatMillis)); // returns at once when something arrives
        }
      } finally {
        s.execute("UNLISTEN *"); // the connection goes back to the pool
        c.setClientInfo("ApplicationName", "");
      }
    }
  }

  private void deliver(PGNotification[] notifications) {
    if (notifications != null && notifications.length > 0) {
      heard(notifications);
    }
  }
}
