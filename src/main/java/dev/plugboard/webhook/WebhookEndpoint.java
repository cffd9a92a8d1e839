package dev.plugboard.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A subscribed receiver. Its secrets are {@code Crypto} ciphertext, never shown after creation. */
@Entity
@Table(name = "webhook_endpoints")
public class WebhookEndpoint extends PanacheEntityBase {
  @Id public UUID id;
  @Column(nullable = false) public String url;

  /** null: every event type. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "events")
  public String[] events;

  /** null: every organization. */
  @Column(name = "organization_id") public UUID organizationId;
  public String description;
  @Column(nullable = false) public boolean enabled;
  @Column(name = "disabled_reason") public String disabledReason;
  @Column(nullable = false) public String secret;
  @Column(name = "previous_secret") public String previousSecret;
  @Column(name = "previous_expires_at") public Instant previousExpiresAt;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
  @Column(name = "updated_at", nullable = false) public Instant updatedAt;

  static String secretAad(Object id) {
    return "webhook_endpoints.secret:" + id;
  }

  static String previousSecretAad(Object id) {
    return "webhook_endpoints.previous_secret:" + id;
  }
}
