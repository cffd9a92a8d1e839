package dev.plugboard.composio;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Connected accounts started through Plugboard but never finalized (the user left the consent
 * screen) would otherwise live on at Composio forever. Once older than
 * {@code plugboard.composio.unfinalized-ttl} they are deleted there and here; a late finalize then
 * answers 404 and the caller starts again.
 */
@ApplicationScoped
public class ComposioPurge implements MaintenanceTask {

  private static final Logger LOG = Logger.getLogger(ComposioPurge.class);

  @Inject ComposioClient composio;
  @Inject ComposioConfig config;
  @Inject MaintenanceConfig maintenance;
  @Inject EntityManager em;

  @Override
  public String name() {
    return "composio.purge-unfinalized";
  }

  @Override
  public long run() {
    if (!composio.configured()) {
      return 0;
    }
    Instant cutoff = Instant.now().minus(config.unfinalizedTtl());
    List<String> due = QuarkusTransaction.requiringNew().call(() -> due(cutoff));
    long purged = 0;
    for (String id : due) {
      try {
        if (QuarkusTransaction.requiringNew().call(() -> purge(id, cutoff))) {
          purged++;
        }
      } catch (ApiException e) {
        // Composio is failing: the rest waits for the next pass rather than for a timeout each.
        LOG.warnf("could not delete unfinalized Composio account %s: %s %s", id, e.code(), e.getMessage());
        break;
      }
    }
    if (purged > 0) {
      LOG.infof("deleted %d Composio accounts that were started but never finalized", purged);
    }
    return purged;
  }

  @SuppressWarnings("unchecked")
  private List<String> due(Instant cutoff) {
    return em.createNativeQuery(
            "SELECT connected_account_id FROM composio_accounts WHERE connection_id IS NULL AND created_at < ?"
                + " ORDER BY created_at LIMIT ?")
        .setParameter(1, cutoff)
        .setParameter(2, Math.max(1, maintenance.batchSize()))
        .getResultList();
  }

  /**
   * Deletes one account while holding its row, so a finalize arriving meanwhile waits and then finds
   * it gone; another replica's pass skips it. False when it was finalized or taken meanwhile.
   */
  private boolean purge(String id, Instant cutoff) {
    List<?> locked =
        em.createNativeQuery(
                "SELECT connected_account_id FROM composio_accounts WHERE connected_account_id = ?"
                    + " AND connection_id IS NULL AND created_at < ? FOR UPDATE SKIP LOCKED")
            .setParameter(1, id)
            .setParameter(2, cutoff)
            .getResultList();
    if (locked.isEmpty()) {
      return false;
    }
    try {
      composio.deleteConnectedAccount(id);
    } catch (ApiException e) {
      if (e.status() != 404) {
        throw e;
      }
      // already gone at Composio: only our record is left to remove
    }
    em.createNativeQuery("DELETE FROM composio_accounts WHERE connected_account_id = ?").setParameter(1, id).executeUpdate();
    return true;
  }
}
