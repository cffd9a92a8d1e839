package dev.plugboard.connection;

import dev.plugboard.api.ChangeFeed;
import dev.plugboard.api.HeardCache;
import dev.plugboard.tenancy.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The gateway's read of a connection with its sealed headers, cached per replica by the visibility
 * it was read under (the SQL rule stays the one spelling of it): a forwarded message costs no
 * database read while the row is unchanged. Secret header values stay ciphertext here; they are
 * decrypted per call, as before. A change to the connection, its headers or its OAuth tokens
 * (migration V16; this replica's own JPA writes at once, through the entities' callbacks) drops it on every
 * replica within 1 s.
 */
@ApplicationScoped
class ConnectionCache {

  private static final int MAX = 20_000;

  /** A connection as seen under a caller's visibility (team, user, sharing setting). */
  private record Viewer(UUID id, UUID teamId, UUID userId, boolean sharing) {}

  /** Everything a caller's visibility shows (team, user, sharing setting). */
  private record Visibility(UUID teamId, UUID userId, boolean sharing) {}

  private static final int PAGE = 500;

  private final ConnectionReads reads;
  private final HeardCache<Viewer, ConnectionReads.WithHeaders> cache;
  /** Dropped by any change to any connection: the lists are few and connections change rarely. */
  private final HeardCache<Visibility, List<ConnectionView>> lists;

  ConnectionCache(ConnectionReads reads, ChangeFeed feed) {
    this.reads = reads;
    this.cache = feed.cache(ChangeFeed.CONNECTION, v -> v.id().toString(), MAX);
    this.lists = feed.cache(ChangeFeed.CONNECTION, v -> HeardCache.ANY, MAX);
  }

  /** Every connection a caller sees, newest first: the aggregate endpoint's read for every message. */
  List<ConnectionView> all(Caller caller) {
    Visibility visibility = new Visibility(caller.teamId(), caller.userId(), caller.connectionsSharing());
    return lists.get(visibility, () -> Optional.of(readAll(caller))).orElseThrow();
  }

  private List<ConnectionView> readAll(Caller caller) {
    List<ConnectionView> all = new ArrayList<>();
    ConnectionViews.ListView page;
    do {
      page = reads.page(caller, null, PAGE, all.size());
      all.addAll(page.integrations());
    } while (!page.integrations().isEmpty() && all.size() < page.total());
    return List.copyOf(all);
  }

  /** {@link ConnectionReads#withHeaders} for a caller, from the cache while the row is unchanged. */
  Optional<ConnectionReads.WithHeaders> visible(UUID id, Caller caller) {
    return cache.get(viewer(id, caller), () -> reads.withHeaders(id, caller));
  }

  /** {@link #visible} from the cache alone (for an event loop): empty when not cached. */
  Optional<ConnectionReads.WithHeaders> cached(UUID id, Caller caller) {
    return cache.peek(viewer(id, caller));
  }

  private static Viewer viewer(UUID id, Caller caller) {
    return new Viewer(id, caller.teamId(), caller.userId(), caller.connectionsSharing());
  }
}
