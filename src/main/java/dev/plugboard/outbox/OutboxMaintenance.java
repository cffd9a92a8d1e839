package dev.plugboard.outbox;

import dev.plugboard.api.MaintenanceTask;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@code POST /admin/v1/maintenance/run} drains due outbox jobs too: with the app scaled to zero no
 * dispatcher polls, so the CronJob that calls maintenance delivers what is due.
 */
@ApplicationScoped
public class OutboxMaintenance implements MaintenanceTask {

  @Inject OutboxWorker worker;

  @Override
  public String name() {
    return "outbox.drain";
  }

  @Override
  public long run() {
    return worker.drain();
  }
}
