package dev.plugboard.oauth;

import dev.plugboard.api.MaintenanceTask;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Periodic OAuth work: refresh tokens of idle connections before they expire and purge expired
 * flows. A {@link MaintenanceTask}, so it runs on the shared schedule and on
 * {@code POST /admin/v1/maintenance/run} (scale-to-zero deployments); safe on several replicas at
 * once (SKIP LOCKED per row).
 */
@ApplicationScoped
public class OAuthMaintenance implements MaintenanceTask {

  private static final Logger LOG = Logger.getLogger(OAuthMaintenance.class);

  /** What one run did. */
  public record Report(long purgedFlows, int checkedConnections) {}

  private final FlowService flows;
  private final TokenRefresher refresher;
  private final OAuthConfig config;

  OAuthMaintenance(FlowService flows, TokenRefresher refresher, OAuthConfig config) {
    this.flows = flows;
    this.refresher = refresher;
    this.config = config;
  }

  @Override
  public String name() {
    return "oauth.refresh-and-purge";
  }

  @Override
  public long run() {
    Report report = pass();
    return report.purgedFlows() + report.checkedConnections();
  }

  public Report pass() {
    long purged = flows.purgeExpiredFlows();
    int checked = 0;
    for (UUID id : refresher.dueConnections(config.idleRefreshBatch())) {
      try {
        if (refresher.refreshLocked(id, true, null).isPresent()) {
          checked++;
        }
      } catch (RuntimeException e) {
        LOG.warnf("idle refresh of connection %s failed: %s", id, e.getClass().getSimpleName());
      }
    }
    if (purged > 0 || checked > 0) {
      LOG.infof("OAuth maintenance: %d expired flows purged, %d connections checked for refresh", purged, checked);
    }
    return new Report(purged, checked);
  }
}
