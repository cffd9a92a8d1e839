package dev.plugboard.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code plugboard.maintenance.*}: the periodic tasks of every replica. */
@ConfigMapping(prefix = "plugboard.maintenance")
public interface MaintenanceConfig {

  /**
   * How often each replica runs every {@link MaintenanceTask} (e.g. {@code 5m}; {@code off} leaves
   * it to {@code POST /admin/v1/maintenance/run}); env {@code PLUGBOARD_MAINTENANCE_INTERVAL}.
   */
  @WithDefault("5m")
  String interval();

  /** Rows per batch (one short transaction each); env {@code PLUGBOARD_MAINTENANCE_BATCH_SIZE}. */
  @WithDefault("500")
  int batchSize();
}
