package dev.plugboard.composio;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A Composio connected account started by a caller; finalize binds it to one connection. */
@Entity
@Table(name = "composio_accounts")
public class ComposioAccount extends PanacheEntityBase {
  @Id
  @Column(name = "connected_account_id")
  public String connectedAccountId;

  @Column(name = "user_id", nullable = false) public UUID userId;
  @Column(name = "team_id", nullable = false) public UUID teamId;
  @Column(name = "auth_config_id", nullable = false) public String authConfigId;
  @Column(name = "auth_scheme") public String authScheme;
  @Column(name = "toolkit") public String toolkit;
  @Column(name = "connection_id") public UUID connectionId;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
}
