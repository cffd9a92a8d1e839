package dev.plugboard.connection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code plugboard.activity.*}: the audit trail of credential use. */
@ConfigMapping(prefix = "plugboard.activity")
public interface ActivityConfig {

  /**
   * How long activity rows are kept; older ones are deleted by the maintenance task
   * {@code connection.activity-purge}. env {@code PLUGBOARD_ACTIVITY_RETENTION}.
   */
  @WithDefault("30d")
  Duration retention();
}
