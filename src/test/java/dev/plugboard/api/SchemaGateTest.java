package dev.plugboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The start-up schema check of production (the migrations themselves run as their own step). */
class SchemaGateTest {

  private static final Pattern MIGRATION = Pattern.compile("V([0-9.]+?)__.*\\.sql");

  @Test
  void requiredVersionIsTheNewestMigration() throws IOException {
    String newest;
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
      newest = files
          .map(p -> MIGRATION.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> m.group(1))
          .max(SchemaGate::compare)
          .orElseThrow();
    }
    assertEquals(newest, SchemaGate.REQUIRED_VERSION, "a new migration raises SchemaGate.REQUIRED_VERSION");
  }

  @Test
  void refusesAnOlderOrMissingSchemaAndNamesTheMigrationStep() {
    String older = SchemaGate.refuseOlderThanRequired(Optional.of("1")).orElseThrow();
    assertTrue(older.contains("at version 1 but this build needs " + SchemaGate.REQUIRED_VERSION), older);
    assertTrue(older.contains("QUARKUS_INIT_AND_EXIT=true QUARKUS_FLYWAY_MIGRATE_AT_START=true"), older);
    String none = SchemaGate.refuseOlderThanRequired(Optional.empty()).orElseThrow();
    assertTrue(none.contains("at version none"), none);
  }

  @Test
  void acceptsTheRequiredOrANewerSchema() {
    assertEquals(Optional.empty(), SchemaGate.refuseOlderThanRequired(Optional.of(SchemaGate.REQUIRED_VERSION)));
    // A rolled-back deployment runs against a schema one migration ahead of it.
    assertEquals(Optional.empty(), SchemaGate.refuseOlderThanRequired(Optional.of(SchemaGate.REQUIRED_VERSION + ".1")));
    assertEquals(Optional.empty(), SchemaGate.refuseOlderThanRequired(Optional.of("100")));
  }

  @Test
  void comparesVersionsNumericallyPartByPart() {
    assertTrue(SchemaGate.compare("10", "9") > 0);
    assertTrue(SchemaGate.compare("7.1", "7") > 0);
    assertEquals(0, SchemaGate.compare("7.0", "7"));
    assertTrue(SchemaGate.compare("6.10", "6.9") > 0);
  }
}
