package dev.plugboard.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/v2/auth.sh: the official conformance framework's client {@code auth/*} scenarios
 * against Plugboard's OAuth engine. For each scenario the framework starts its fixture authorization
 * server and MCP server on loopback and runs auth-driver.mjs, which does what a platform does: {@code
 * oauth/mcp/start}, the browser hop through the authorization server to Plugboard's callback, then an
 * agent's {@code initialize}, {@code tools/list} and {@code tools/call} through the gateway with only
 * the API key. A scenario passes when none of its checks is a FAILURE and the driver finished (save the
 * scenarios that expect the client to stop). Prints the table; writes it to {@code
 * plugboard.auth.report} when set; fails when a scenario in {@link #EXPECTED} as passing does not pass.
 *
 * <p>The public base URL is https, as in production (behind a TLS front): so Plugboard offers its Client
 * ID Metadata Document where a server supports them. The driver's browser reaches that front at the
 * app's loopback address.
 */
@QuarkusTest
@TestProfile(AuthScenariosConformanceTest.Profile.class)
@EnabledIfSystemProperty(named = "plugboard.auth.scenarios", matches = "true")
class AuthScenariosConformanceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = System.getProperty("plugboard.v2.node", "node");
  private static final File DIR = new File("conformance/v2");
  static final String PUBLIC_BASE = "https://localhost";

  /** The https front of a production deployment; the driver's browser reaches it at the app's loopback port. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("plugboard.public-base-url", PUBLIC_BASE, "plugboard.frontend-base-url", "http://localhost:3000");
    }
  }

  static final String PASS = "pass";

  /** Pass, or the reason Plugboard does not pass it; every auth scenario of the pinned framework is listed. */
  static final Map<String, String> EXPECTED;

  static {
    Map<String, String> e = new LinkedHashMap<>();
    for (String s :
        List.of(
            "metadata-default", "metadata-var1", "metadata-var2", "metadata-var3", "basic-cimd",
            "scope-from-www-authenticate", "scope-from-scopes-supported", "scope-omitted-when-undefined",
            "scope-retry-limit", "token-endpoint-auth-basic", "token-endpoint-auth-post", "token-endpoint-auth-none",
            "pre-registration", "2025-03-26-oauth-endpoint-fallback", "scope-step-up",
            "resource-mismatch", "offline-access-scope", "offline-access-not-supported")) {
      e.put("auth/" + s, PASS);
    }
    e.put(
        "auth/2025-03-26-oauth-metadata-backcompat",
        "the scenario is wrong: its metadata, served at the origin's /.well-known/oauth-authorization-server, names the"
            + " issuer <origin>/oauth, and RFC 8414 §3.3 says such a document MUST NOT be used; Plugboard refuses it"
            + " (502 at start). The framework fixed its fixture after 0.1.16 (conformance#359)");
    String noPerson =
        "%s: machine-to-machine grants without a person; Plugboard connects on a person's consent (authorization code"
            + " with PKCE) and offers no such grant";
    e.put("auth/client-credentials-jwt", noPerson.formatted("client credentials with private_key_jwt (extension SEP-1046)"));
    e.put("auth/client-credentials-basic", noPerson.formatted("client credentials with client_secret_basic (extension SEP-1046)"));
    e.put("auth/cross-app-access-complete-flow", noPerson.formatted("enterprise-managed cross-app access (extension SEP-990)"));
    EXPECTED = e;
  }

  /** Scenarios that expect the client to stop (the framework's allowClientError): the driver's failure is not one. */
  static final List<String> CLIENT_STOPS = List.of("auth/scope-retry-limit", "auth/resource-mismatch");

  @Test
  void everyAuthScenario() throws Exception {
    Member m = Fixtures.newMember();
    String app = "http://127.0.0.1:" + RestAssured.port;
    List<String> listed = listed();
    assertEquals(new TreeSet<>(EXPECTED.keySet()), new TreeSet<>(listed), "the framework's auth scenarios are the ones EXPECTED lists");

    Map<String, Result> results = new TreeMap<>();
    // -Dplugboard.auth.only=auth/a,auth/b runs just those (while working on one); the table then lists only them.
    String only = System.getProperty("plugboard.auth.only", "");
    for (String scenario : listed) {
      if (!only.isBlank() && !List.of(only.split(",")).contains(scenario)) {
        continue;
      }
      results.put(scenario, run(scenario, app, m.key()));
    }
    List<String> regressed = new ArrayList<>();
    StringBuilder table = new StringBuilder("| scenario | result | driver |\n|---|---|---|\n");
    long passed = 0;
    for (Map.Entry<String, Result> r : results.entrySet()) {
      Result res = r.getValue();
      boolean pass = res.passed(CLIENT_STOPS.contains(r.getKey()));
      passed += pass ? 1 : 0;
      table.append("| ").append(r.getKey()).append(" | ").append(res.describe(pass)).append(" | ").append(res.driver).append(" |\n");
      if (PASS.equals(EXPECTED.get(r.getKey())) && !pass) {
        regressed.add(r.getKey() + ": " + res.failures + " " + res.driver);
      }
    }
    table.append("\n").append(passed).append(" of ").append(results.size()).append(" pass\n");
    EXPECTED.forEach(
        (name, why) -> {
          if (!PASS.equals(why) && results.containsKey(name)) {
            boolean nowPasses = results.get(name).passed(CLIENT_STOPS.contains(name));
            table.append("- ").append(name).append(nowPasses ? " (passes now: mark it pass in EXPECTED): " : ": ").append(why).append('\n');
          }
        });
    System.out.println("auth scenarios:\n" + table);
    String report = System.getProperty("plugboard.auth.report");
    if (report != null && !report.isBlank()) {
      Files.writeString(Path.of(report), table.toString());
    }
    assertEquals(List.of(), regressed, "scenarios that passed before no longer pass");
  }

  /** One scenario's outcome: the framework's failed and warning checks, and what the driver reported. */
  record Result(List<String> failures, List<String> warnings, boolean driverOk, String driver) {
    boolean passed(boolean clientMayStop) {
      return failures.isEmpty() && (driverOk || clientMayStop);
    }

    String describe(boolean pass) {
      if (!pass) {
        String why = failures.isEmpty() ? "the driver failed" : String.join("; ", failures);
        return "FAIL (" + (why.length() > 200 ? why.substring(0, 200) + "…" : why) + ")";
      }
      return warnings.isEmpty() ? "pass" : "pass, warnings: " + String.join("; ", warnings);
    }
  }

  private static String read(File f) {
    try {
      return Files.readString(f.toPath());
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The auth scenarios the pinned framework lists. */
  private static List<String> listed() throws Exception {
    Process p = new ProcessBuilder(NODE, "node_modules/.bin/conformance", "list").directory(DIR).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "conformance list: " + text);
    List<String> names = new ArrayList<>();
    for (String line : text.split("\n")) {
      String t = line.trim();
      if (t.startsWith("- auth/")) {
        names.add(t.substring(2).split("\\s+")[0]);
      }
    }
    return names;
  }

  /** Runs one scenario with the driver; the API key reaches the driver in its environment only. */
  private static Result run(String scenario, String app, String key) throws Exception {
    Path out = Files.createTempDirectory("auth-scenario");
    File log = out.resolve("framework.log").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(
                NODE, "node_modules/.bin/conformance", "client", "--scenario", scenario, "--command", NODE + " auth-driver.mjs",
                "-o", out.resolve("results").toString())
            .directory(DIR)
            .redirectErrorStream(true)
            .redirectOutput(log);
    pb.environment().put("PLUGBOARD_URL", app);
    pb.environment().put("PLUGBOARD_KEY", key);
    pb.environment().put("PLUGBOARD_PUBLIC_BASE_URL", PUBLIC_BASE);
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the conformance framework did not finish " + scenario + " within 120 s");
    }
    // results/auth/<name>-<timestamp>/checks.json: the scenario's name holds a slash
    List<Path> found;
    try (Stream<Path> files = Files.walk(out.resolve("results"))) {
      found = files.filter(f -> f.getFileName().toString().equals("checks.json")).toList();
    } catch (IOException e) {
      found = List.of();
    }
    assertEquals(1, found.size(), () -> "the framework wrote no results for " + scenario + ": " + read(log));
    File dir = found.get(0).getParent().toFile();
    List<String> failures = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (JsonNode check : JSON.readTree(new File(dir, "checks.json"))) {
      String status = check.path("status").asText();
      String text = check.path("id").asText() + ": " + check.path("errorMessage").asText(check.path("description").asText());
      if (status.equals("FAILURE")) {
        failures.add(text);
      } else if (status.equals("WARNING")) {
        warnings.add(text);
      }
    }
    String stdout = Files.readString(dir.toPath().resolve("stdout.txt")).trim();
    String last = stdout.isEmpty() ? "{}" : stdout.substring(stdout.lastIndexOf('\n') + 1);
    JsonNode driver = JSON.readTree(last);
    boolean ok = driver.path("ok").asBoolean(false);
    String summary = ok ? "ok: tools " + driver.path("tools") : "stopped: " + driver.path("error").asText("no output");
    try (Stream<Path> files = Files.walk(out)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
    }
    return new Result(failures, warnings, ok, summary.replace("|", "\\|"));
  }
}
