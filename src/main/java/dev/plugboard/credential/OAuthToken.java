package dev.plugboard.credential;

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

/**
 * A connection's OAuth tokens and what is needed to refresh and revoke them. {@code accessToken},
 * {@code refreshToken} and {@code clientSecret} are ciphertext; use {@link CredentialService} to
 * read and write them.
 */
@Entity
@Table(name = "oauth_tokens")
public class OAuthToken extends PanacheEntityBase {
  @Id
  @Column(name = "connection_id")
  public UUID connectionId;

  @Column(name = "access_token", nullable = false) public String accessToken;
  @Column(name = "refresh_token") public String refreshToken;
  @Column(name = "token_type") public String tokenType;
  @Column(name = "expires_at") public Instant expiresAt;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "scopes")
  public String[] scopes;

  @Column(name = "token_endpoint") public String tokenEndpoint;
  @Column(name = "revocation_endpoint") public String revocationEndpoint;
  @Column(name = "client_id") public String clientId;
  @Column(name = "client_secret") public String clientSecret;
  @Column(name = "resource") public String resource;
  @Column(name = "refresh_failures", nullable = false) public int refreshFailures;
  @Column(name = "next_refresh_at") public Instant nextRefreshAt;
  @Column(name = "updated_at", nullable = false) public Instant updatedAt;

  public static String aad(UUID connectionId, String field) {
    return "oauth_tokens." + field + ":" + connectionId;
  }

  /** This replica's own change leaves the gateway's connection cache at once (others hear V16's NOTIFY). */
  @PostPersist
  @PostUpdate
  @PostRemove
  void changed() {
    ChangeFeed.changed(ChangeFeed.CONNECTION, connectionId);
  }
}
