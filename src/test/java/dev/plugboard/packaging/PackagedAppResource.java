package dev.plugboard.packaging;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * What a deployment supplies to the packaged (prod-profile) artifact: a real PostgreSQL migrated by
 * the migration step (the same artifact, run once as the Kubernetes init container runs it) and the
 * secrets the Kubernetes Secret carries. The integration test launcher passes these to the jar (or
 * native executable) as system properties.
 */
public class PackagedAppResource implements QuarkusTestResourceLifecycleManager {

  static final String ADMIN_TOKEN = "test-admin-token";
  static final String INTERNAL_TOKEN = "test-internal-token";

  private EmbeddedPostgres postgres;

  @Override
  public Map<String, String> start() {
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL for the packaged app", e);
    }
    Map<String, String> datasource = Map.of(
        "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres");
    PackagedArtifact.Run migration = PackagedArtifact.migrate(datasource);
    if (migration.exitCode() != 0) {
      throw new IllegalStateException("the migration step failed:\n" + migration.output());
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Map.of(
        "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres",
        "quarkus.http.host", "127.0.0.1",
        "plugboard.crypto.keys", "k1:" + Base64.getEncoder().encodeToString(key),
        "plugboard.crypto.active-key", "k1",
        "plugboard.admin.token", ADMIN_TOKEN,
        "plugboard.internal.token", INTERNAL_TOKEN);
  }

  @Override
  public void stop() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
