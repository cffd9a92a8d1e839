package dev.plugboard.hardening;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL of its own for the outage tests, which stop and start it: same port and data
 * directory across restarts, so the app reconnects to the same database with the same data.
 */
public class StoppablePostgres implements QuarkusTestResourceLifecycleManager {

  private static EmbeddedPostgres postgres;
  private static Path dataDirectory;
  private static int port;

  @Override
  public Map<String, String> start() {
    try {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      dataDirectory = Files.createTempDirectory("plugboard-outage-pg");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startDatabase();
    return Map.of(
        "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres");
  }

  static synchronized void startDatabase() {
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server ("fast" shutdown: open transactions are aborted, connections cut). */
  static synchronized void stopDatabase() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    stopDatabase();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it up eventually
    }
  }
}
