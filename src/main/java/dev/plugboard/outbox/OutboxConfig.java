package dev.plugboard.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** {@code plugboard.outbox.*}: how outbox jobs (webhook deliveries, after-delete work) are run. */
@ConfigMapping(prefix = "plugboard.outbox")
public interface OutboxConfig {

  /**
   * Waits after a failed attempt (DESIGN §14), each with ±10 % jitter; a job that fails once more
   * after the last one is {@code failed}. Attempts = schedule size + 1.
   */
  @WithDefault("5s,5m,30m,2h,5h,10h,10h")
  List<Duration> retrySchedule();

  /** How often each replica's dispatcher looks for due jobs (at least 1s; {@code off} disables it). */
  @WithDefault("5s")
  String pollInterval();

  /**
   * How long after its commit the committing replica first tries a job. 0 in production; tests set
   * a long one to kill the app between the commit and the first attempt.
   */
  @WithDefault("0s")
  Duration afterCommitDelay();

  /** How long a claimed job is reserved for the replica that claimed it (longer than any attempt). */
  @WithDefault("2m")
  Duration lease();

  /** Jobs claimed at once by one dispatcher pass. */
  @WithDefault("20")
  int batchSize();

  /** Parallel attempts per replica. */
  @WithDefault("4")
  int workers();
}
