package dev.plugboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP TypeScript SDK client as an agent (conformance/agent.mjs): connects to a server,
 * lists and calls its tools, ends its session and hands back everything it got, for tests that
 * compare a direct connection with one through Plugboard.
 */
public final class SdkAgent {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SdkAgent() {}

  /** The agent against {@code url} ({@code http} or {@code sse}), sending {@code Authorization: Bearer <bearer>} when given. */
  public static JsonNode run(String url, String kind, String bearer) throws Exception {
    return run(url, kind, bearer == null ? List.of() : List.of(bearer));
  }

  /** The agent against the aggregate endpoint, keeping only the tools named {@code <prefix>__...}. */
  public static JsonNode run(String url, String kind, String bearer, String prefix) throws Exception {
    return run(url, kind, List.of(bearer, prefix));
  }

  private static JsonNode run(String url, String kind, List<String> extra) throws Exception {
    List<String> args = new ArrayList<>(List.of(url, kind));
    args.addAll(extra);
    return script("agent.mjs", args, Map.of());
  }

  /** Runs another script of conformance/ with {@code args} and extra {@code env}, and returns the JSON it printed. */
  public static JsonNode script(String script, List<String> args, Map<String, String> env) throws Exception {
    return start(script, args, env).finish();
  }

  /** A script of conformance/ started and not yet waited for. */
  public record Running(String what, Process process, File out, File err) {
    /** Waits (60 s at most) for the script and returns the JSON it printed. */
    public JsonNode finish() throws Exception {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("the SDK client did not finish within 60 s: " + what);
        }
        assertEquals(0, process.exitValue(), "the SDK client failed (" + what + "): " + Files.readString(err.toPath()));
        return JSON.readTree(Files.readString(out.toPath(), StandardCharsets.UTF_8));
      } finally {
        out.delete();
        err.delete();
      }
    }
  }

  /** Starts a script of conformance/ with {@code args} and extra {@code env}. */
  public static Running start(String script, List<String> args, Map<String, String> env) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(args);
    // Output goes to files: a full pipe would block the client before it exits.
    File out = File.createTempFile("agent", ".json");
    File err = File.createTempFile("agent", ".err");
    ProcessBuilder pb = new ProcessBuilder(command).directory(new File("conformance")).redirectOutput(out).redirectError(err);
    pb.environment().putAll(env);
    return new Running(script + " " + args.get(0), pb.start(), out, err);
  }

  /** Runs an agent script in {@code dir} and reads the one JSON line it prints; {@code what} names it in failures. */
  static JsonNode exec(File dir, List<String> command, String what) throws Exception {
    // Output goes to files: a full pipe would block the client before it exits.
    File out = File.createTempFile("agent", ".json");
    File err = File.createTempFile("agent", ".err");
    return new Running(what, new ProcessBuilder(command).directory(dir).redirectOutput(out).redirectError(err).start(), out, err).finish();
  }
}
