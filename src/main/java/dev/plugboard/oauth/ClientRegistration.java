package dev.plugboard.oauth;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A client registered at an authorization server by RFC 7591; {@code clientSecret} is ciphertext. */
@Entity
@Table(name = "oauth_client_registrations")
public class ClientRegistration extends PanacheEntityBase {
  @Id public UUID id;
  @Column(nullable = false) public String issuer;
  @Column(name = "redirect_uri", nullable = false) public String redirectUri;
  @Column(name = "client_id", nullable = false) public String clientId;
  @Column(name = "client_secret") public String clientSecret;
  @Column(name = "token_auth_method", nullable = false) public String tokenAuthMethod;
  @Column(name = "secret_expires_at") public Instant secretExpiresAt;
  @Column(name = "created_at", nullable = false) public Instant createdAt;

  String aad() {
    return "oauth_client_registrations.client_secret:" + id;
  }
}
