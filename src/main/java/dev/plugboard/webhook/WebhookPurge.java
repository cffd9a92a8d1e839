package dev.plugboard.webhook;

import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import dev.plugboard.outbox.OutboxWorker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

/** Deletes deliveries (and other outbox jobs) that ended more than {@code plugboard.webhooks.retention} ago. */
@ApplicationScoped
public class WebhookPurge implements MaintenanceTask {

  @Inject OutboxWorker outbox;
  @Inject WebhooksConfig config;
  @Inject MaintenanceConfig maintenance;

  @Override
  public String name() {
    return "webhook.purge";
  }

  @Override
  public long run() {
    return outbox.purgeEndedBefore(Instant.now().minus(config.retention()), Math.max(1, maintenance.batchSize()));
  }
}
