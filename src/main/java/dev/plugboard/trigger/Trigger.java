package dev.plugboard.trigger;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A trigger bound to a connection ({@code integration_instance_id}); columns of the Duvo schema. */
@Entity
@Table(name = "triggers")
public class Trigger extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "agent_id", nullable = false) public UUID agentId;
  @Column(name = "user_id", nullable = false) public UUID userId;
  @Column(name = "integration_slug", nullable = false) public String integrationSlug;
  @Column(name = "trigger_type", nullable = false) public String triggerType;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "filter_config", nullable = false)
  public Map<String, Object> filterConfig;

  @Column(name = "integration_instance_id", nullable = false) public UUID integrationInstanceId;
  @Column(nullable = false) public boolean enabled;
  @Column(name = "auto_disabled_at") public Instant autoDisabledAt;
  @Column(name = "auto_disabled_reason") public String autoDisabledReason;

  @Column(name = "consecutive_missing_connection_failures", nullable = false)
  public int consecutiveMissingConnectionFailures;

  @Column(name = "first_missing_connection_failure_at") public Instant firstMissingConnectionFailureAt;
  @Column(name = "last_missing_connection_failure_at") public Instant lastMissingConnectionFailureAt;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "updated_at", nullable = false) public Instant updatedAt;
}
