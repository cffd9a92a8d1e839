package dev.plugboard.connection;

import static org.junit.jupiter.api.Assertions.*;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration V8 on a database that already holds connections: every row gets a slug by creation
 * order, collisions within a team take suffixes, other teams are independent. Runs the real
 * migrations into a schema of its own, stopping at V7 to plant the rows.
 */
@QuarkusTest
class SlugBackfillTest {

  private static final String SCHEMA = "slug_backfill_test";

  // Connections of its own, not the app's pool: a search_path set here must not leak into the app.
  private static String setting(String key) {
    Config config = ConfigProvider.getConfig();
    return key.endsWith("url") ? config.getValue(key, String.class) : config.getOptionalValue(key, String.class).orElse("postgres");
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(
        setting("quarkus.datasource.jdbc.url"), setting("quarkus.datasource.username"), setting("quarkus.datasource.password"));
  }

  private Flyway flyway(String target) {
    return Flyway.configure()
        .dataSource(setting("quarkus.datasource.jdbc.url"), setting("quarkus.datasource.username"), setting("quarkus.datasource.password"))
        .schemas(SCHEMA)
        .locations("classpath:db/migration")
        .target(target)
        .cleanDisabled(false)
        .load();
  }

  @Test
  void existingRowsGetUniqueSlugsInCreationOrder() throws SQLException {
    try {
      flyway("7").migrate();
      try (Connection c = connect();
          Statement s = c.createStatement()) {
        s.execute("SET search_path TO " + SCHEMA);
        s.execute("INSERT INTO organizations VALUES ('00000000-0000-0000-0000-000000000001', 'o', false, now(), now())");
        for (int t = 1; t <= 2; t++) {
          s.execute("INSERT INTO teams VALUES ('00000000-0000-0000-0000-00000000001" + t + "', '00000000-0000-0000-0000-000000000001', 't', now())");
        }
        String[][] rows = {
          {"a1", "1", "GitHub", "1"}, {"a2", "1", "github", "2"}, {"a3", "1", "GitHub 2", "3"},
          {"a4", "1", "☃", "4"}, {"a5", "1", "Google  Sheets (Work)", "5"}, {"b1", "2", "GitHub", "6"},
          {"a6", "1", "x".repeat(60), "7"}
        };
        for (String[] r : rows) {
          s.execute(
              "INSERT INTO connections (id, team_id, name, type, provider, created_at, updated_at) VALUES ("
                  + "md5('" + r[0] + "')::uuid, '00000000-0000-0000-0000-00000000001" + r[1] + "', '" + r[2]
                  + "', 'custom_mcp', 'user', now() + interval '" + r[3] + " seconds', now())");
        }
      }
      flyway("latest").migrate();
      List<String> slugs = new ArrayList<>();
      try (Connection c = connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT slug FROM " + SCHEMA + ".connections ORDER BY created_at")) {
        while (rs.next()) {
          slugs.add(rs.getString(1));
        }
      }
      assertEquals(
          List.of("github", "github_2", "github_2_2", "connection", "google_sheets_work", "github", "x".repeat(40)), slugs);
    } finally {
      flyway("latest").clean();
      try (Connection c = connect();
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      }
    }
  }
}
