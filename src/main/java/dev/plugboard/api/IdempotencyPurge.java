package dev.plugboard.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Deletes expired Idempotency-Key records, batch by batch. */
@ApplicationScoped
public class IdempotencyPurge implements MaintenanceTask {

  @Inject Idempotency idempotency;
  @Inject MaintenanceConfig config;

  @Override
  public String name() {
    return "idempotency.purge";
  }

  @Override
  public long run() {
    int batch = Math.max(1, config.batchSize());
    long total = 0;
    int n;
    do {
      n = idempotency.purgeExpired(batch);
      total += n;
    } while (n == batch);
    return total;
  }
}
