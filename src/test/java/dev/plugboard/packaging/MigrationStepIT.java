package dev.plugboard.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.api.SchemaGate;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Production's two steps with the packaged artifact and a real PostgreSQL: the server refuses an
 * unmigrated database with a line naming the migration step; the migration step (same artifact,
 * init-and-exit) migrates to the version the server needs and exits 0. PackagedAppIT then covers
 * serving on the migrated schema.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationStepIT {

  private static EmbeddedPostgres postgres;
  private static Map<String, String> config;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    config = new LinkedHashMap<>();
    config.put("quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"));
    config.put("quarkus.datasource.username", "postgres");
    config.put("quarkus.datasource.password", "postgres");
    config.put("quarkus.http.host", "127.0.0.1");
    config.put("quarkus.http.port", "0");
    config.put("plugboard.crypto.keys", "k1:" + Base64.getEncoder().encodeToString(new byte[32]));
    config.put("plugboard.admin.token", "migration-it-admin");
    config.put("plugboard.internal.token", "migration-it-internal");
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Order(1)
  void serverRefusesAnUnmigratedDatabase() {
    PackagedArtifact.Run run = PackagedArtifact.run(config);
    assertNotEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("Database schema is at version none but this build needs " + SchemaGate.REQUIRED_VERSION),
        run.output());
    assertTrue(run.output().contains("QUARKUS_INIT_AND_EXIT=true QUARKUS_FLYWAY_MIGRATE_AT_START=true"), run.output());
  }

  @Test
  @Order(2)
  void migrationStepMigratesAndExits() throws Exception {
    PackagedArtifact.Run run = PackagedArtifact.migrate(Map.of(
        "quarkus.datasource.jdbc.url", config.get("quarkus.datasource.jdbc.url"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres"));
    assertEquals(0, run.exitCode(), run.output());
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "select version from flyway_schema_history where success order by installed_rank desc limit 1")) {
      assertTrue(r.next());
      assertEquals(SchemaGate.REQUIRED_VERSION, r.getString(1));
    }
  }
}
