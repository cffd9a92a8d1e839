package dev.plugboard.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "memberships")
public class Membership extends PanacheEntityBase {

  @Embeddable
  public record Key(
      @Column(name = "team_id") UUID teamId, @Column(name = "user_id") UUID userId)
      implements Serializable {}

  @EmbeddedId public Key id;
  @Column(nullable = false) public String role;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
}
