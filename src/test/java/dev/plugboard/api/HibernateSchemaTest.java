package dev.plugboard.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SchemaValidationException;
import org.junit.jupiter.api.Test;

/**
 * Hibernate's schema validation of every entity against the migrated schema. Production boots with
 * schema-management.strategy=none (no metadata queries at start); this test is where a mapping that
 * drifted from the migrations fails instead.
 */
@QuarkusTest
class HibernateSchemaTest {

  @Inject EntityManagerFactory emf;
  @Inject Db db;

  @Test
  void entitiesMatchTheMigratedSchema() {
    assertDoesNotThrow(() -> emf.getSchemaManager().validate());
  }

  @Test
  void aColumnTheMappingNeedsIsReportedMissing() {
    db.update("alter table connections rename column provider to provider_renamed");
    try {
      SchemaValidationException e =
          assertThrows(SchemaValidationException.class, () -> emf.getSchemaManager().validate());
      assertTrue(e.getMessage().contains("provider") && e.getMessage().contains("connections"), e.getMessage());
    } finally {
      db.update("alter table connections rename column provider_renamed to provider");
    }
  }
}
