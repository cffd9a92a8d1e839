package dev.plugboard.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Runs the artifact `./mvnw package` built (the fast-jar or aot-jar, or the native executable with
 * -Dnative, as target/quarkus-artifact.properties names it) as a one-shot command, the way the
 * Kubernetes migration step does, and returns its exit code and output.
 */
final class PackagedArtifact {

  record Run(int exitCode, String output) {}

  private PackagedArtifact() {}

  static Run run(Map<String, String> properties) {
    List<String> command = new ArrayList<>();
    Path artifact = artifact();
    boolean jar = artifact.toString().endsWith(".jar");
    if (jar) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    } else {
      command.add(artifact.toString());
    }
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    if (jar) {
      command.add("-jar");
      command.add(artifact.toString());
    }
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the process exits
      }
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the packaged artifact did not exit:\n" + out);
      }
      return new Run(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The migration step: initialization (Flyway migrate) and exit, as the init container / Job runs it. */
  static Run migrate(Map<String, String> datasource) {
    Map<String, String> props = new java.util.LinkedHashMap<>(datasource);
    props.put("quarkus.init-and-exit", "true");
    props.put("quarkus.flyway.migrate-at-start", "true");
    return run(props);
  }

  private static Path artifact() {
    Properties p = new Properties();
    Path target = Path.of("target");
    try (InputStream in = Files.newInputStream(target.resolve("quarkus-artifact.properties"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("no packaged artifact: run ./mvnw package first", e);
    }
    return target.resolve(p.getProperty("path")).toAbsolutePath();
  }
}
