package dev.plugboard.oauth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A started authorization: everything the callback needs to finish it on any replica. {@code
 * codeVerifier} and {@code clientSecret} are ciphertext; the state is stored only as its hash.
 */
@Entity
@Table(name = "oauth_flows")
public class OAuthFlow extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "state_hash", nullable = false) public byte[] stateHash;
  @Column(nullable = false) public String kind;
  @Column(nullable = false) public String provider;
  @Column(name = "team_id", nullable = false) public UUID teamId;
  @Column(name = "user_id", nullable = false) public UUID userId;
  @Column(name = "return_url") public String returnUrl;
  @Column(name = "code_verifier", nullable = false) public String codeVerifier;
  @Column(name = "issuer") public String issuer;
  @Column(name = "token_endpoint", nullable = false) public String tokenEndpoint;
  @Column(name = "revocation_endpoint") public String revocationEndpoint;
  @Column(name = "client_id", nullable = false) public String clientId;
  @Column(name = "client_secret") public String clientSecret;
  @Column(name = "token_auth_method", nullable = false) public String tokenAuthMethod;
  @Column(name = "resource") public String resource;
  @Column(name = "server_url") public String serverUrl;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "scopes")
  public String[] scopes;

  @Column(name = "name") public String name;
  @Column(name = "custom_integration_id") public UUID customIntegrationId;
  @Column(name = "integration_type") public String integrationType;
  @Column(name = "reconnect_id") public UUID reconnectId;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "expires_at", nullable = false) public Instant expiresAt;
  @Column(name = "used_at") public Instant usedAt;
  /** The connect link this flow reports to (DESIGN §13); null for the REST front doors. */
  @Column(name = "connect_link_id") public UUID connectLinkId;
  /** Encrypted granted tokens waiting for a link's verifier. */
  @Column(name = "held_grant") public String heldGrant;

  static final String MCP = "mcp";
  static final String NATIVE = "native";

  String aad(String field) {
    return "oauth_flows." + field + ":" + id;
  }
}
