package dev.plugboard.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "teams")
public class Team extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "organization_id", nullable = false) public UUID organizationId;
  @Column(nullable = false) public String name;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
}
