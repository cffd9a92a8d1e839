package dev.plugboard.outbox;

import java.time.Duration;

/**
 * Carries out one kind of outbox job. The package that owns the work implements it as a CDI bean;
 * the dispatcher claims due jobs, calls {@link #attempt} outside any transaction, and records the
 * outcome (retry schedule, lease, delivery log) in one place.
 */
public interface OutboxHandler {

  /** The job kind this handler runs, e.g. {@code webhook}. */
  String kind();

  /** One attempt. Must not throw for an expected failure: return {@link Outcome#retry} instead. */
  Outcome attempt(OutboxJob job);

  /** Called once an attempt's outcome is stored: {@code succeeded}, {@code retrying} or {@code failed}. */
  default void settled(OutboxJob job, String state) {}

  /**
   * What an attempt came to. {@code statusCode}: the remote HTTP status when one was read;
   * {@code error}: a short text, never a secret; {@code retryAfter}: the remote's wish, if any.
   */
  record Outcome(Kind kind, Integer statusCode, String error, Duration retryAfter) {
    public enum Kind {
      DONE,
      RETRY,
      GIVE_UP
    }

    public static Outcome done(Integer statusCode) {
      return new Outcome(Kind.DONE, statusCode, null, null);
    }

    public static Outcome retry(Integer statusCode, String error, Duration retryAfter) {
      return new Outcome(Kind.RETRY, statusCode, error, retryAfter);
    }

    public static Outcome giveUp(Integer statusCode, String error) {
      return new Outcome(Kind.GIVE_UP, statusCode, error, null);
    }
  }
}
