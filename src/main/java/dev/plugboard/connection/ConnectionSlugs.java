package dev.plugboard.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Slugs of connections: {@code [a-z0-9]+(_[a-z0-9]+)*} from the name, unique within the team (and so
 * within every key's view, which never spans teams; the unique index connections_slug_key guarantees
 * it), given once at creation and never changed. A collision takes the first free {@code _2},
 * {@code _3}... A slug never contains {@code "__"}, so a gateway tool name {@code <slug>__<tool>}
 * splits at its first {@code "__"}.
 */
@ApplicationScoped
class ConnectionSlugs {

  static final int MAX_BASE = 40;
  /** Advisory lock class of slug allocation ("slug"); the second key is the team's hash. */
  private static final int LOCK_CLASS = 0x736c7567;

  @Inject EntityManager em;

  /** The slug a name starts from: accents folded, every run of other characters one underscore. */
  static String base(String name) {
    String folded = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
    String slug = folded.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    if (slug.length() > MAX_BASE) {
      slug = slug.substring(0, MAX_BASE).replaceAll("_+$", "");
    }
    return slug.isEmpty() ? "connection" : slug;
  }

  /**
   * A free slug for {@code name} in {@code teamId}. Holds a per-team advisory lock until the calling
   * transaction ends, so concurrent creations in one team pick different slugs instead of one of them
   * failing on the unique index.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  String allocate(UUID teamId, String name) {
    em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(?, ?)) l")
        .setParameter(1, LOCK_CLASS)
        .setParameter(2, teamId.hashCode())
        .getSingleResult();
    String base = base(name);
    @SuppressWarnings("unchecked")
    List<String> taken =
        em.createNativeQuery("SELECT slug FROM connections WHERE team_id = ? AND slug ~ ?")
            .setParameter(1, teamId)
            .setParameter(2, "^" + base + "(_[0-9]+)?$")
            .getResultList();
    Set<String> used = new HashSet<>(taken);
    if (!used.contains(base)) {
      return base;
    }
    for (int n = 2; ; n++) {
      String candidate = base + "_" + n;
      if (!used.contains(candidate)) {
        return candidate;
      }
    }
  }
}
