package dev.plugboard.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Fixtures.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Many requests of one key at once, for the rate-limit tests. */
final class Burst {

  private Burst() {}

  /** Sends {@code requests} GETs from {@code threads} threads; every answer is 200 or 429. Returns the 200s. */
  static int admitted(Member m, int requests, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        calls.add(() -> m.as().get("/v1/connections").statusCode());
      }
      int ok = 0;
      for (Future<Integer> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
        int status = f.get();
        assertTrue(status == 200 || status == 429, "status " + status);
        ok += status == 200 ? 1 : 0;
      }
      return ok;
    } finally {
      pool.shutdownNow();
    }
  }
}
