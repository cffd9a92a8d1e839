package dev.plugboard.tenancy;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Hears the {@code plugboard_tenancy} NOTIFY of migration V6 on a database connection of its own and
 * drops {@link CallerLookup}'s cache for every change. A heartbeat ({@code SELECT 1}) every quarter
 * second proves the connection is alive: PostgreSQL delivers every notification committed before a
 * statement ahead of that statement's result, so after each heartbeat the cache is confirmed as
 * current up to the moment it was sent. When the connection is lost, confirmations stop and the
 * cache falls back to its 1 s lifetime until the listener is back.
 */
@ApplicationScoped
public class TenancyChanges {

  private static final Logger LOG = Logger.getLogger(TenancyChanges.class);
  static final String CHANNEL = "plugboard_tenancy";
  static final String APPLICATION_NAME = "plugboard-tenancy-listener";
  private static final int HEARTBEAT_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  @Inject DataSource dataSource;
  @Inject CallerLookup lookup;

  private volatile boolean running;
  private Thread thread;
  private long backoff = HEARTBEAT_MILLIS;

  void start(@Observes StartupEvent event) {
    running = true;
    thread = new Thread(this::run, "plugboard-tenancy-listener");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) {
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
          LOG.debugf("tenancy change listener lost its connection (%s); retrying", e.getClass().getName());
        }
      }
      try {
        TimeUnit.MILLISECONDS.sleep(backoff); // a reconnect back-off, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  private void listen() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      c.setNetworkTimeout(Runnable::run, 3_000); // a silently dead peer must end in an exception
      c.setClientInfo("ApplicationName", APPLICATION_NAME); // visible in pg_stat_activity
      s.execute("LISTEN " + CHANNEL);
      backoff = HEARTBEAT_MILLIS;
      PGConnection pg = c.unwrap(PGConnection.class);
      lookup.invalidateAll(); // anything may have changed while nobody listened
      try {
        while (running) {
          long sent = System.nanoTime();
          s.execute("SELECT 1");
          drop(pg.getNotifications());
          lookup.confirm(sent);
          drop(pg.getNotifications(HEARTBEAT_MILLIS)); // returns at once when a change arrives
        }
      } finally {
        s.execute("UNLISTEN *"); // the connection goes back to the pool
        c.setClientInfo("ApplicationName", "");
      }
    }
  }

  private void drop(PGNotification[] notifications) {
    if (notifications != null && notifications.length > 0) {
      lookup.invalidateAll();
    }
  }
}
