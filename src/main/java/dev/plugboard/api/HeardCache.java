package dev.plugboard.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A per-replica cache of database rows kept current by {@link ChangeFeed}: a change to a row drops
 * its entries on every replica within 1 s (at once while the feed hears PostgreSQL; an entry lives
 * at most 1 s while it cannot, and at most 5 minutes in any case). Entries are grouped by the key
 * the database announces (a connection id, a session hash); only present values are kept.
 * Entries of the group {@link #ANY} depend on every row of the topic: any announcement drops them.
 */
public final class HeardCache<K, V> {

  /** The group of entries that every announcement of the topic drops (e.g. a list of rows). */
  public static final String ANY = "*";

  /** How old an entry may be when changes cannot be heard (the contract). */
  static final long UNCONFIRMED_NANOS = 1_000_000_000L;
  /** How old an entry may be while they can (a belt-and-braces bound). */
  static final long CONFIRMED_NANOS = 300_000_000_000L;

  private record Entry<V>(V value, long loadedAt) {}

  private final ChangeFeed feed;
  private final Function<K, String> group;
  private final int max;
  private final Map<String, Map<K, Entry<V>>> groups = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  /** Bumped by every invalidation, so a load that raced with one is not kept. */
  private final AtomicLong generation = new AtomicLong();

  HeardCache(ChangeFeed feed, Function<K, String> group, int max) {
    this.feed = feed;
    this.group = group;
    this.max = max;
  }

  /** The cached value of {@code key}, or {@code load}'s (kept when present and no change raced with it). */
  public Optional<V> get(K key, Supplier<Optional<V>> load) {
    long now = System.nanoTime();
    Optional<V> cached = peek(key, now);
    if (cached.isPresent()) {
      return cached;
    }
    long gen = generation.get(); // before the read: a change heard during it makes it stale
    Optional<V> loaded = load.get();
    loaded.ifPresent(v -> put(key, v, now, gen));
    return loaded;
  }

  /** The cached value of {@code key} when it is fresh, else empty (the caller reads the database). */
  public Optional<V> peek(K key) {
    return peek(key, System.nanoTime());
  }

  /** Keeps {@code value}, read from the database after {@link #generation()} returned {@code gen}. */
  public void put(K key, V value, long gen) {
    put(key, value, System.nanoTime(), gen);
  }

  /** The invalidation count now: take it before a read whose result goes to {@link #put}. */
  public long generation() {
    return generation.get();
  }

  private Optional<V> peek(K key, long now) {
    Map<K, Entry<V>> entries = groups.get(group.apply(key));
    Entry<V> e = entries == null ? null : entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    long age = now - e.loadedAt;
    boolean fresh = age < UNCONFIRMED_NANOS || (age < CONFIRMED_NANOS && feed.confirmedWithin(UNCONFIRMED_NANOS, now));
    return fresh ? Optional.of(e.value) : Optional.empty();
  }

  private void put(K key, V value, long loadedAt, long gen) {
    if (size.get() >= max) {
      invalidateAll();
    }
    if (groups.computeIfAbsent(group.apply(key), g -> new ConcurrentHashMap<>()).put(key, new Entry<>(value, loadedAt)) == null) {
      size.incrementAndGet();
    }
    if (generation.get() != gen) { // an invalidation came while it was read (or just after): not trusted
      invalidate(group.apply(key));
    }
  }

  /** Drops every entry of one announced key. */
  public void invalidate(String announced) {
    generation.incrementAndGet();
    drop(announced);
    drop(ANY);
  }

  private void drop(String group) {
    Map<K, Entry<V>> gone = groups.remove(group);
    if (gone != null) {
      size.addAndGet(-gone.size());
    }
  }

  public void invalidateAll() {
    generation.incrementAndGet();
    groups.clear();
    size.set(0);
  }
}
