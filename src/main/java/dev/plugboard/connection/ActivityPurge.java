package dev.plugboard.connection;

import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** Deletes activity older than {@code plugboard.activity.retention}, batch by batch. */
@ApplicationScoped
public class ActivityPurge implements MaintenanceTask {

  @Inject ActivityLog log;
  @Inject ActivityConfig config;
  @Inject MaintenanceConfig maintenance;

  @Override
  public String name() {
    return "connection.activity-purge";
  }

  @Override
  public long run() {
    Instant cutoff = Instant.now().minus(config.retention());
    int batch = Math.max(1, maintenance.batchSize());
    long total = 0;
    int n;
    do {
      n = log.purgeOlderThan(cutoff, batch);
      total += n;
    } while (n == batch);
    return total;
  }
}
