package dev.plugboard.api;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGNotification;

/**
 * Hears the {@code plugboard_changes} NOTIFY of migration V16 ({@code <topic>:<key>}, {@code
 * <topic>:*}) and the {@code plugboard_tenancy} NOTIFY of migration V6 (topic {@link #TENANCY}) on
 * one database connection and drops the matching entries of every {@link HeardCache} of that topic.
 * The heartbeat every quarter second confirms the caches as current up to the moment it was sent;
 * while it is lost, their entries fall back to a 1 s lifetime.
 */
@ApplicationScoped
public class ChangeFeed extends NotifyListener {

  static final String CHANNEL = "plugboard_changes";
  /** A connection, its headers or its OAuth tokens changed; the key is the connection id. */
  public static final String CONNECTION = "connection";
  /** A gateway session changed or ended; the key is the hex of its id hash. */
  public static final String SESSION = "session";
  /**
   * An API key, a membership, a team or an organization changed (what a key resolves to). V6 names
   * only the table, so every change of this topic drops every entry of it.
   */
  public static final String TENANCY = "tenancy";
  static final String TENANCY_CHANNEL = "plugboard_tenancy";
  public static final String APPLICATION_NAME = "plugboard-listener-" + CHANNEL;
  private static final int HEARTBEAT_MILLIS = 250;

  @Inject DataSource dataSource;
  @Inject TransactionSynchronizationRegistry transactions;

  private final Map<String, List<HeardCache<?, ?>>> caches = new ConcurrentHashMap<>();
  /** When the last heartbeat that saw every earlier change was sent ({@link System#nanoTime()}). */
  private volatile long confirmedAt = System.nanoTime() - 2 * HeardCache.UNCONFIRMED_NANOS;

  public ChangeFeed() {
    super(CHANNEL, HEARTBEAT_MILLIS, TENANCY_CHANNEL);
  }

  /**
   * A cache of {@code topic} whose entries are grouped by the notification's key ({@code group} of
   * a cache key); at most {@code max} entries (all dropped when it is full).
   */
  public <K, V> HeardCache<K, V> cache(String topic, java.util.function.Function<K, String> group, int max) {
    HeardCache<K, V> cache = new HeardCache<>(this, group, max);
    caches.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(cache);
    return cache;
  }

  /**
   * A change this replica makes to {@code key} of {@code topic}: its entries are dropped now and,
   * when a transaction is running, again once it has ended, so a reader that loaded the old row in
   * between is not believed either. (Other replicas hear the NOTIFY.)
   */
  public void changedHere(String topic, String key) {
    forget(topic, key);
    if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
      try {
        transactions.registerInterposedSynchronization(new Forget(topic, key));
      } catch (IllegalStateException completing) {
        // flushed as the transaction completes, too late to register: its NOTIFY follows at commit
      }
    }
  }

  /** Forgets a key once the transaction that changed it has ended, committed or not. */
  private final class Forget implements Synchronization {
    private final String topic;
    private final String key;

    Forget(String topic, String key) {
      this.topic = topic;
      this.key = key;
    }

    @Override
    public void beforeCompletion() {}

    @Override
    public void afterCompletion(int status) {
      forget(topic, key);
    }
  }

  /** {@link #changedHere} for code that cannot be injected (JPA entity callbacks). */
  public static void changed(String topic, Object key) {
    var container = Arc.container();
    if (container != null && container.isRunning() && key != null) {
      container.instance(ChangeFeed.class).get().changedHere(topic, key.toString());
    }
  }

  void start(@Observes StartupEvent event) {
    startListening();
  }

  void stop(@Observes ShutdownEvent event) {
    stopListening();
  }

  /**
   * Whether every change committed before {@code nanos} ({@link System#nanoTime()}) has been heard
   * and its entries dropped: a heartbeat sent after it has come back.
   */
  public boolean heardSince(long nanos) {
    return confirmedAt - nanos > 0;
  }

  boolean confirmedWithin(long nanos, long now) {
    return now - confirmedAt < nanos;
  }

  private void forget(String topic, String key) {
    for (HeardCache<?, ?> cache : caches.getOrDefault(topic, List.of())) {
      if (HeardCache.ANY.equals(key)) {
        cache.invalidateAll();
      } else {
        cache.invalidate(key);
      }
    }
  }

  @Override
  protected DataSource dataSource() {
    return dataSource;
  }

  @Override
  protected void connected() {
    caches.values().forEach(list -> list.forEach(HeardCache::invalidateAll)); // changes may have gone unheard
  }

  @Override
  protected void heard(PGNotification[] notifications) {
    for (PGNotification n : notifications) {
      String payload = TENANCY_CHANNEL.equals(n.getName()) ? TENANCY + ":" + HeardCache.ANY : n.getParameter();
      int colon = payload.indexOf(':');
      if (colon > 0) {
        forget(payload.substring(0, colon), payload.substring(colon + 1));
      }
    }
  }

  @Override
  protected void confirmed(long sentNanos) {
    confirmedAt = sentNanos;
  }
}
