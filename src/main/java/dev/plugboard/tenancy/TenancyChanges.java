package dev.plugboard.tenancy;

import dev.plugboard.api.NotifyListener;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.postgresql.PGNotification;

/**
 * Hears the {@code plugboard_tenancy} NOTIFY of migration V6 and drops {@link CallerLookup}'s cache
 * for every change. The heartbeat every quarter second confirms the cache as current up to the
 * moment it was sent; when the connection is lost, confirmations stop and the cache falls back to
 * its 1 s lifetime until the listener is back.
 */
@ApplicationScoped
public class TenancyChanges extends NotifyListener {

  static final String CHANNEL = "plugboard_tenancy";
  static final String APPLICATION_NAME = "plugboard-listener-" + CHANNEL;
  private static final int HEARTBEAT_MILLIS = 250;

  @Inject DataSource dataSource;
  @Inject CallerLookup lookup;

  public TenancyChanges() {
    super(CHANNEL, HEARTBEAT_MILLIS);
  }

  void start(@Observes StartupEvent event) {
    startListening();
  }

  void stop(@Observes ShutdownEvent event) {
    stopListening();
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  @Override
  protected void connected() {
    lookup.invalidateAll();
  }

  @Override
  protected void heard(PGNotification[] notifications) {
    lookup.invalidateAll();
  }

  @Override
  protected void confirmed(long sentNanos) {
    lookup.confirm(sentNanos);
  }
}
