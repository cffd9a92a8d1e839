package dev.plugboard.connection;

import dev.plugboard.api.ChangeFeed;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PostRemove;
import jakarta.persistence.PostUpdate;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A connected integration instance. Credentials live in {@code credential/}, never here. */
@Entity
@Table(name = "connections")
public class Connection extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "team_id", nullable = false) public UUID teamId;
  @Column(name = "user_id") public UUID userId;
  @Column(name = "created_by") public UUID createdBy;
  @Column(nullable = false) public String name;
  /** Given once at creation ({@link ConnectionSlugs}); renaming keeps it. */
  @Column(nullable = false, updatable = false) public String slug;
  @Column(nullable = false) public String type;
  @Column(nullable = false) public String provider;
  @Column(name = "server_url") public String serverUrl;
  @Column(name = "transport_type", nullable = false) public String transportType;
  @Column(name = "auth_method") public String authMethod;
  @Column(name = "composio_mcp_id") public String composioMcpId;
  @Column(name = "custom_integration_id") public UUID customIntegrationId;
  @Column(name = "icon_url") public String iconUrl;
  @Column(name = "oauth_provider") public String oauthProvider;
  @Column(name = "oauth_provider_key") public String oauthProviderKey;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "oauth_scopes")
  public String[] oauthScopes;

  /** {@link ToolPolicy}: null allows every tool. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "allowed_tools")
  public String[] allowedTools;

  @Column(name = "integration_id") public String integrationId;
  @Column(nullable = false) public boolean shared;
  @Column(name = "broken_at") public Instant brokenAt;
  @Column(name = "broken_reason") public String brokenReason;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "updated_at", nullable = false) public Instant updatedAt;

  /** This replica's own change leaves the gateway's connection cache at once (others hear V16's NOTIFY). */
  @PostPersist
  @PostUpdate
  @PostRemove
  void changed() {
    ChangeFeed.changed(ChangeFeed.CONNECTION, id);
  }
}
