package dev.plugboard.connect;

import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/** The periodic chores of connect links (DESIGN §13): expire the open ones past their time, purge ended ones. */
final class ConnectMaintenance {

  /** Links kept this long after they end (for GET and the list), then deleted. */
  static final Duration RETENTION = Duration.ofDays(30);

  private ConnectMaintenance() {}

  /** Pending or awaiting links past expires_at become {@code expired}; tokens held for a verifier are deleted. */
  @ApplicationScoped
  static class Expire implements MaintenanceTask {
    @Inject ConnectLinkService links;
    @Inject MaintenanceConfig maintenance;

    @Override
    public String name() {
      return "connect.links-expire";
    }

    @Override
    public long run() {
      return batches(maintenance, links::expireDue);
    }
  }

  /** Links that ended more than {@link #RETENTION} ago are deleted. */
  @ApplicationScoped
  static class Purge implements MaintenanceTask {
    @Inject ConnectLinkService links;
    @Inject MaintenanceConfig maintenance;

    @Override
    public String name() {
      return "connect.links-purge";
    }

    @Override
    public long run() {
      return batches(maintenance, batch -> links.purgeEnded(RETENTION, batch));
    }
  }

  private static long batches(MaintenanceConfig maintenance, java.util.function.IntUnaryOperator pass) {
    int batch = Math.max(1, maintenance.batchSize());
    long total = 0;
    int n;
    do {
      n = pass.applyAsInt(batch);
      total += n;
    } while (n == batch);
    return total;
  }
}
