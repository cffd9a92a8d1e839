package dev.plugboard.connect;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A connect link (DESIGN §13). The token, the Composio return code and the verifier code are hashes. */
@Entity
@Table(name = "connect_links")
public class ConnectLink extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "token_hash", nullable = false) public byte[] tokenHash;
  @Column(name = "token_key", nullable = false) public String tokenKey;
  @Column(nullable = false) public String kind;
  @Column(nullable = false) public String status;
  @Column(name = "organization_id", nullable = false) public UUID organizationId;
  @Column(name = "team_id", nullable = false) public UUID teamId;
  @Column(name = "user_id", nullable = false) public UUID userId;
  @Column(name = "api_key_id") public UUID apiKeyId;
  @Column public String provider;
  @Column(name = "server_url") public String serverUrl;
  @Column public String name;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "secret_headers")
  public String[] secretHeaders;

  /** A step-up reconnect link's scopes (granted plus asked); null for any other link. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column
  public String[] scopes;

  @Column(name = "composio_auth_config_id") public String composioAuthConfigId;
  @Column(name = "composio_app") public String composioApp;
  @Column(name = "composio_account_id") public String composioAccountId;
  @Column(name = "connection_id") public UUID connectionId;
  @Column public String error;
  @Column(name = "return_url") public String returnUrl;
  @Column(name = "return_code_hash") public byte[] returnCodeHash;
  @Column(name = "confirm_code_hash") public byte[] confirmCodeHash;
  @Column(name = "oauth_flow_id") public UUID oauthFlowId;
  @Column(name = "held_secrets") public String heldSecrets;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "expires_at", nullable = false) public Instant expiresAt;
  @Column(name = "consumed_at") public Instant consumedAt;
  @Column(name = "completed_at") public Instant completedAt;

  static final String PENDING = "pending";
  static final String AWAITING = "awaiting_confirmation";
  static final String COMPLETED = "completed";
  static final String FAILED = "failed";
  static final String EXPIRED = "expired";
  static final String CANCELLED = "cancelled";

  boolean open() {
    return PENDING.equals(status) || AWAITING.equals(status);
  }

  String aad(String field) {
    return "connect_links." + field + ":" + id;
  }
}
