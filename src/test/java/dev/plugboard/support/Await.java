package dev.plugboard.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** The one bounded polling loop of the tests: checks a condition until it holds or time runs out. */
public final class Await {

  private static final long STEP_MILLIS = 100;

  private Await() {}

  /** Polls {@code condition} until it holds; fails the test after {@code seconds}. */
  public static void until(String what, int seconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + seconds + " s waiting for: " + what);
      }
      try {
        Thread.sleep(STEP_MILLIS); // polling interval of a bounded loop, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for: " + what);
      }
    }
  }
}
