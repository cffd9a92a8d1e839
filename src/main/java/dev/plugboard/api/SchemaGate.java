package dev.plugboard.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Production migrates as a step of its own (the same artifact with {@code QUARKUS_INIT_AND_EXIT=true
 * QUARKUS_FLYWAY_MIGRATE_AT_START=true}), so the server does not load Flyway at start. Instead it reads
 * the applied versions once and refuses to start on a schema older than this build needs: an old
 * schema would otherwise fail on the first request that touches a new column, far from the cause.
 */
@ApplicationScoped
public class SchemaGate {

  private static final Logger LOG = Logger.getLogger(SchemaGate.class);

  /** The highest migration in db/migration; SchemaGateTest keeps the two equal. */
  public static final String REQUIRED_VERSION = "17";

  static final String MIGRATE_HINT =
      "run the migration step first: the same image or jar with QUARKUS_INIT_AND_EXIT=true "
          + "QUARKUS_FLYWAY_MIGRATE_AT_START=true (k8s: the migrate init container, or the Knative Job plugboard-migrate)";

  @Inject DataSource dataSource;

  // Before every other start-up observer: none of them may touch an old schema.
  void check(@Observes @Priority(1) StartupEvent event) {
    Optional<String> applied;
    try {
      applied = appliedVersion();
    } catch (SQLException e) {
      // The history table is missing (42P01) on a database that was never migrated.
      if (!"42P01".equals(e.getSQLState())) {
        throw new IllegalStateException("could not read the schema version: " + e.getMessage(), e);
      }
      applied = Optional.empty();
    }
    refuseOlderThanRequired(applied).ifPresent(message -> {
      LOG.error(message);
      throw new IllegalStateException(message);
    });
  }

  /** The refusal message when {@code applied} is older than {@link #REQUIRED_VERSION}. */
  static Optional<String> refuseOlderThanRequired(Optional<String> applied) {
    if (applied.isPresent() && compare(applied.get(), REQUIRED_VERSION) >= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "Database schema is at version " + applied.orElse("none") + " but this build needs "
            + REQUIRED_VERSION + ": refusing to start; " + MIGRATE_HINT);
  }

  private Optional<String> appliedVersion() throws SQLException {
    List<String> versions = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select version from flyway_schema_history where success and version is not null")) {
      while (r.next()) {
        versions.add(r.getString(1));
      }
    }
    return versions.stream().max(SchemaGate::compare);
  }

  /** Flyway's version order: dot-separated numbers, compared part by part. */
  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }
}
