package dev.plugboard.api;

/**
 * A periodic chore (purge expired records, re-encrypt under the active key, refresh idle tokens...).
 * Any package implements it as a CDI bean; {@link Maintenance} runs every task on a schedule and on
 * {@code POST /admin/v1/maintenance/run}. A pass must be idempotent and safe while other replicas
 * run the same pass (claim rows with {@code FOR UPDATE SKIP LOCKED}, work in bounded batches).
 */
public interface MaintenanceTask {

  /** A stable name for reports and logs, e.g. {@code idempotency.purge}. */
  String name();

  /** Runs one pass to completion; returns how many items it handled. */
  long run();
}
