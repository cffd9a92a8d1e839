package dev.plugboard.connect;

import dev.plugboard.api.NotifyListener;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.postgresql.PGNotification;

/**
 * Long-polls of {@code GET /v1/connect/links/{id}?wait=} without a thread each: a waiter is a future
 * woken by the {@code plugboard_connect_links} NOTIFY of migration V11, which every replica hears on
 * a database connection of its own, whichever replica ended the link. A woken waiter reads the link
 * again (on a worker thread) and answers if it has ended, else waits on. While the listener is not
 * connected, waiters read again every second instead, so a lost connection costs latency, never an
 * answer.
 */
@ApplicationScoped
public class LinkWaiters extends NotifyListener {

  static final String CHANNEL = "plugboard_connect_links";
  private static final int HEARTBEAT_MILLIS = 1_000;
  private static final Duration UNHEARD_ROUND = Duration.ofSeconds(1);

  @Inject DataSource dataSource;
  @Inject Vertx vertx;

  private final Map<UUID, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
  private volatile boolean listening;

  public LinkWaiters() {
    super(CHANNEL, HEARTBEAT_MILLIS);
  }

  void start(@Observes StartupEvent event) {
    startListening();
  }

  void stop(@Observes ShutdownEvent event) {
    stopListening();
    wakeAll();
  }

  /**
   * Answers {@code read}'s view once it is no longer pending, or the last one read when {@code wait}
   * has passed. {@code read} runs on a worker thread.
   */
  CompletionStage<ConnectLinkView> until(UUID id, Duration wait, Supplier<ConnectLinkView> read) {
    long deadline = System.nanoTime() + wait.toNanos();
    CompletableFuture<ConnectLinkView> answer = new CompletableFuture<>();
    round(id, deadline, read, answer);
    return answer;
  }

  private void round(UUID id, long deadline, Supplier<ConnectLinkView> read, CompletableFuture<ConnectLinkView> answer) {
    long left = deadline - System.nanoTime();
    CompletableFuture<Void> wake = new CompletableFuture<>();
    // Registered before the read: a change committed after the read wakes this round.
    waiting.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(wake);
    vertx.<ConnectLinkView>executeBlocking(read::get, false)
        .onComplete(
            r -> {
              if (r.failed()) {
                forget(id, wake);
                answer.completeExceptionally(r.cause());
                return;
              }
              ConnectLinkView v = r.result();
              if (!v.isPending() || left <= 0 || !running()) {
                forget(id, wake);
                answer.complete(v);
                return;
              }
              long roundNanos = listening ? left : Math.min(left, UNHEARD_ROUND.toNanos());
              wake.completeOnTimeout(null, roundNanos, TimeUnit.NANOSECONDS)
                  .whenComplete(
                      (x, e) -> {
                        forget(id, wake);
                        if (System.nanoTime() - deadline >= 0) {
                          vertx.<ConnectLinkView>executeBlocking(read::get, false)
                              .onComplete(last -> {
                                if (last.succeeded()) {
                                  answer.complete(last.result());
                                } else {
                                  answer.completeExceptionally(last.cause());
                                }
                              });
                        } else {
                          round(id, deadline, read, answer);
                        }
                      });
            });
  }

  private void forget(UUID id, CompletableFuture<Void> wake) {
    waiting.computeIfPresent(id, (k, set) -> {
      set.remove(wake);
      return set.isEmpty() ? null : set;
    });
  }

  private void wake(UUID id) {
    Set<CompletableFuture<Void>> set = waiting.get(id);
    if (set != null) {
      set.forEach(f -> f.complete(null));
    }
  }

  private void wakeAll() {
    waiting.values().forEach(set -> set.forEach(f -> f.complete(null)));
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  @Override
  protected void connected() {
    listening = true;
    wakeAll(); // anything may have ended while nobody listened
  }

  @Override
  protected void disconnected() {
    listening = false;
  }

  @Override
  protected void heard(PGNotification[] notifications) {
    deliver(notifications);
  }

  private void deliver(PGNotification[] notifications) {
    for (PGNotification n : notifications) {
      try {
        wake(UUID.fromString(n.getParameter()));
      } catch (IllegalArgumentException e) {
        wakeAll();
      }
    }
  }
}
