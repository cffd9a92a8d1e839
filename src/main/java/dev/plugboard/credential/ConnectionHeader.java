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
import java.util.UUID;

/** One header of a connection's header set. Secret values are ciphertext (see {@link Crypto}). */
@Entity
@Table(name = "connection_headers")
public class ConnectionHeader extends PanacheEntityBase {
  @Id public UUID id;
  @Column(name = "connection_id", nullable = false) public UUID connectionId;
  @Column(nullable = false) public String name;
  @Column(nullable = false) public String value;
  @Column(nullable = false) public boolean secret;
  @Column(nullable = false) public int position;

  String aad() {
    return aad(id);
  }

  static String aad(UUID id) {
    return "connection_headers.value:" + id;
  }

  /** This replica's own change leaves the gateway's connection cache at once (others hear V16's NOTIFY). */
  @PostPersist
  @PostUpdate
  @PostRemove
  void changed() {
    ChangeFeed.changed(ChangeFeed.CONNECTION, connectionId);
  }
}
