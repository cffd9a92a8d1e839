package dev.plugboard.bench;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

@Entity
@Table(name = "item")
public class Item extends PanacheEntityBase {
  @Id public UUID id;
  public String name;
}
