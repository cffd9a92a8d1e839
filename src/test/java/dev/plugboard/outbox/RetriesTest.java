package dev.plugboard.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The §14 retry schedule: steps, ±10 % jitter, Retry-After up to the next step, exhaustion. */
class RetriesTest {

  static final List<Duration> SCHEDULE =
      List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));

  @Test
  void eachFailedAttemptWaitsItsStepWithinTenPercent() {
    for (int attempt = 1; attempt <= SCHEDULE.size(); attempt++) {
      long step = SCHEDULE.get(attempt - 1).toMillis();
      assertEquals(Optional.of(Duration.ofMillis(Math.round(step * 0.9))), Retries.next(SCHEDULE, attempt, null, 0.0));
      assertEquals(Optional.of(Duration.ofMillis(step)), Retries.next(SCHEDULE, attempt, null, 0.5));
      long high = Retries.next(SCHEDULE, attempt, null, 0.999999).orElseThrow().toMillis();
      assertTrue(high <= Math.round(step * 1.1) && high > step, "upper jitter of step " + attempt + ": " + high);
    }
  }

  @Test
  void afterTheLastStepTheJobHasFailed() {
    assertEquals(Optional.empty(), Retries.next(SCHEDULE, SCHEDULE.size() + 1, null, 0.5));
    assertEquals(Optional.empty(), Retries.next(SCHEDULE, SCHEDULE.size() + 1, Duration.ofSeconds(1), 0.5));
  }

  @Test
  void retryAfterReplacesTheStepUpToTheNextOne() {
    assertEquals(Optional.of(Duration.ofSeconds(60)), Retries.next(SCHEDULE, 1, Duration.ofSeconds(60), 0.5), "longer than 5 s, honoured");
    assertEquals(Optional.of(Duration.ofMinutes(5)), Retries.next(SCHEDULE, 1, Duration.ofHours(1), 0.5), "capped at the next step (5 min)");
    assertEquals(Optional.of(Duration.ofSeconds(1)), Retries.next(SCHEDULE, 2, Duration.ofSeconds(1), 0.5), "shorter is honoured too");
    assertEquals(Optional.of(Duration.ofHours(10)), Retries.next(SCHEDULE, 7, Duration.ofDays(3), 0.5), "the last step caps the last wait");
  }

  @Test
  void eventIdsAreStandardWebhooksSafe() {
    String id = Outbox.newEventId();
    assertTrue(id.matches("msg_[0-9A-Z]{26}"), id);
    assertTrue(!Outbox.newEventId().equals(id), "random part");
  }
}
