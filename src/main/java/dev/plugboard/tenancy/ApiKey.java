package dev.plugboard.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An API key: only its SHA-256 hash and its visible prefix are stored. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "user_id", nullable = false) public UUID userId;
  @Column(name = "team_id", nullable = false) public UUID teamId;
  @Column(nullable = false) public String name;
  @Column(nullable = false) public String prefix;
  @Column(name = "key_hash", nullable = false) public byte[] keyHash;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "expires_at") public Instant expiresAt;
  @Column(name = "revoked_at") public Instant revokedAt;
}
