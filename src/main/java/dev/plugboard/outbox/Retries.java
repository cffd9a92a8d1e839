package dev.plugboard.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** The retry schedule with ±10 % jitter and {@code Retry-After} honoured up to the next step. */
final class Retries {

  private Retries() {}

  /**
   * The wait before the attempt after failed attempt {@code attempt} (1-based), or empty when the
   * schedule is exhausted. A {@code retryAfter} replaces the scheduled wait, capped at the step after.
   */
  static Optional<Duration> next(List<Duration> schedule, int attempt, Duration retryAfter, double random) {
    if (attempt < 1 || attempt > schedule.size()) {
      return Optional.empty();
    }
    Duration step = schedule.get(attempt - 1);
    if (retryAfter != null && !retryAfter.isNegative()) {
      Duration cap = schedule.get(Math.min(attempt, schedule.size() - 1));
      return Optional.of(retryAfter.compareTo(cap) > 0 ? cap : retryAfter);
    }
    // random in [0, 1): the wait ends up within ±10 % of the step
    long millis = step.toMillis();
    return Optional.of(Duration.ofMillis(Math.round(millis * (0.9 + 0.2 * random))));
  }

  static Optional<Duration> next(List<Duration> schedule, int attempt, Duration retryAfter) {
    return next(schedule, attempt, retryAfter, ThreadLocalRandom.current().nextDouble());
  }
}
