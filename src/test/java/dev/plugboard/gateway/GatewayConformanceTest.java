package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.ReferenceServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/run.sh with the reference servers it started: the official TypeScript SDK
 * client (conformance/agent.mjs) uses each server directly, then through the gateway holding only
 * an API key, and must get the same initialize result, tools, tool results, prompts and resources.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.conformance", matches = ".+")
class GatewayConformanceTest {

  @Test
  void theSdkClientGetsThroughTheGatewayWhatItGetsDirectly() throws Exception {
    Member m = Fixtures.newMember();
    ObjectMapper json = new ObjectMapper();
    List<String> mismatches = new ArrayList<>();
    for (JsonNode server : ReferenceServers.load()) {
      String name = server.get("name").asText();
      String kind = server.get("kind").asText();
      String id =
          Fixtures.create(
              m,
              Map.of("name", name, "server_url", server.get("url").asText(), "provider", "user", "auth_method", "url", "transport_type", kind));
      JsonNode direct = json.readTree(agent(server.get("url").asText(), kind, null));
      JsonNode through = json.readTree(agent("http://127.0.0.1:" + RestAssured.port + "/mcp/v1/connections/" + id, "http", m.key()));
      assertTrue(direct.get("tools").size() > 0, name + " lists no tools");
      System.out.println("conformance gateway " + name + ": " + direct.get("tools").size() + " tools, calls " + direct.get("calls").size() + (direct.equals(through) ? ", identical" : ", DIFFERENT"));
      if (!direct.equals(through)) {
        mismatches.add(name + ": direct " + direct + "\n  through the gateway " + through);
      }
    }
    assertEquals(List.of(), mismatches);
  }

  private static String agent(String url, String kind, String key) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "agent.mjs", url, kind));
    if (key != null) {
      command.add(key);
    }
    // Output goes to files: a full pipe would block the client before it exits.
    File out = File.createTempFile("agent", ".json");
    File err = File.createTempFile("agent", ".err");
    try {
      Process p = new ProcessBuilder(command).directory(new File("conformance")).redirectOutput(out).redirectError(err).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("the SDK client did not finish within 60 s: " + url);
      }
      assertEquals(0, p.exitValue(), "the SDK client failed against " + url + ": " + Files.readString(err.toPath()));
      return Files.readString(out.toPath(), StandardCharsets.UTF_8);
    } finally {
      out.delete();
      err.delete();
    }
  }
}
