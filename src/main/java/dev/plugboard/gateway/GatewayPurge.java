package dev.plugboard.gateway;

import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import dev.plugboard.gateway.GatewaySessions.Session;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Deletes gateway sessions idle for longer than {@code plugboard.gateway.session-idle-timeout} and ends their upstream sessions. */
@ApplicationScoped
public class GatewayPurge implements MaintenanceTask {

  private final GatewaySessions sessions;
  private final GatewayService service;
  private final MaintenanceConfig maintenance;

  GatewayPurge(GatewaySessions sessions, GatewayService service, MaintenanceConfig maintenance) {
    this.sessions = sessions;
    this.service = service;
    this.maintenance = maintenance;
  }

  @Override
  public String name() {
    return "gateway.purge-idle-sessions";
  }

  @Override
  public long run() {
    int batch = Math.max(1, maintenance.batchSize());
    long total = 0;
    List<Session> purged;
    do {
      purged = sessions.purgeIdle(batch);
      purged.forEach(service::endUpstream);
      total += purged.size();
    } while (purged.size() == batch);
    return total;
  }
}
