package dev.plugboard.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One instance of the packaged app (the jar, or the native executable of a -Dnative build) in its own
 * process on 127.0.0.1, for the integration tests that need several instances or a crash.
 */
public final class PackagedApp {
  public final String name;
  public final int port;
  public final Process process;
  public final Path log;

  private PackagedApp(String name, int port, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts an instance with {@code config} as system properties and waits until it is ready. */
  public static PackagedApp start(String name, Map<String, String> config) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    if (Files.exists(jar)) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
    config.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-Dquarkus.http.port=" + port);
    if (Files.exists(jar)) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      String nativeImage = System.getProperty("native.image.path", "");
      if (!Files.isExecutable(Path.of(nativeImage))) {
        fail("no packaged app (target/quarkus-app/quarkus-run.jar or " + nativeImage + "): run `./mvnw verify`");
      }
      command.add(0, nativeImage);
    }
    Path log = Path.of("target", "replica-" + name + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    PackagedApp app = new PackagedApp(name, port, p, log);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // also when the test JVM is stopped
    Await.until(
        "replica " + name + " ready on port " + port,
        180,
        () -> {
          if (!p.isAlive()) {
            fail("replica " + name + " exited with " + p.exitValue() + ":\n" + app.tail());
          }
          try {
            return given().baseUri("http://127.0.0.1").port(port).get("/q/health/ready").statusCode() == 200;
          } catch (Exception notYet) {
            return false;
          }
        });
    return app;
  }

  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return lines.subList(Math.max(0, lines.size() - 30), lines.size()).stream().collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** SIGKILL: no shutdown hook, no graceful anything (a crash). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
