package dev.plugboard.connection;

import dev.plugboard.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns a connection change into a lifecycle event (DESIGN §14), written to the
 * outbox in the transaction of the change. Body data: {@code {connection, organization_id, team_id}}
 * plus the event's own fields; the view never holds a secret.
 */
@ApplicationScoped
public class ConnectionChanges {

  public static final String CREATED = "connection.created";
  public static final String UPDATED = "connection.updated";
  public static final String RECONNECTED = "connection.reconnected";
  public static final String REFRESH_FAILED = "connection.refresh_failed";
  public static final String BROKEN = "connection.broken";
  public static final String DELETED = "connection.deleted";

  @Inject EntityManager em;
  @Inject Outbox outbox;

  /** Records {@code type} about {@code connection} (as it is now, or its last state when deleted). */
  @Transactional(Transactional.TxType.MANDATORY)
  public String record(String type, ConnectionView connection) {
    return record(type, connection, Map.of());
  }

  /** {@link #record(String, ConnectionView)} with more data fields (e.g. {@code error}, {@code link}). */
  @Transactional(Transactional.TxType.MANDATORY)
  public String record(String type, ConnectionView connection, Map<String, ?> extra) {
    List<?> org =
        em.createNativeQuery("SELECT organization_id FROM teams WHERE id = ?").setParameter(1, connection.teamId()).getResultList();
    java.util.UUID organizationId = org.isEmpty() ? null : (java.util.UUID) org.get(0);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("connection", connection);
    data.put("organization_id", organizationId);
    data.put("team_id", connection.teamId());
    data.putAll(extra);
    return outbox.event(type, organizationId, data);
  }
}
