package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.V2Agent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/v2/run.sh with a 2026-07-28-only server built with the v2 TypeScript SDK
 * ({@code createMcpHandler(factory, { legacy: 'reject' })}, strict about the Mcp-Method / Mcp-Name
 * headers) at {@code plugboard.v2.server}. The v2 SDK client pinned to 2026-07-28 uses it directly;
 * the probe and the gateway, used by v2 clients of every era, must give the same.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.v2.server", matches = ".+")
class ModernConformanceTest {

  private static final String SERVER = System.getProperty("plugboard.v2.server");

  @Test
  void theProbeAndTheGatewayGiveWhatAModernServerGivesADirectClient() throws Exception {
    Member m = Fixtures.newMember();
    JsonNode direct = V2Agent.run(SERVER, "pin");
    assertEquals("2026-07-28", direct.get("protocolVersion").asText());
    List<String> names = new ArrayList<>();
    direct.get("tools").forEach(t -> names.add(t.get("name").asText()));
    assertTrue(names.contains("grüße"), "the fixture's Base64-named tool is listed: " + names);

    JsonPath probe = m.as().body(Map.of("server_url", SERVER)).post("/v1/connections/mcp/probe").then().statusCode(200).extract().jsonPath();
    assertTrue(probe.getBoolean("success"), "probe: " + probe.prettify());
    assertEquals(names, probe.getList("tools.name", String.class));

    String id = Fixtures.create(m, Map.of("name", "Modern Fixture", "server_url", SERVER, "provider", "user", "auth_method", "url"));
    String slug = m.as().get("/v1/connections/" + id).then().statusCode(200).extract().path("slug");
    String perConnection = "http://127.0.0.1:" + RestAssured.port + "/mcp/v1/connections/" + id;
    String aggregate = "http://127.0.0.1:" + RestAssured.port + "/mcp/v1";
    ObjectNode directTools = toolsAndCalls(direct);

    List<String> mismatches = new ArrayList<>();
    // legacy: a 2025 agent (initialize, 2025-11-25); pin: 2026-07-28 only; auto: server/discover, then 2026-07-28
    for (String mode : List.of("legacy", "pin", "auto")) {
      JsonNode through = V2Agent.run(perConnection, mode, "--key", m.key());
      if (mode.equals("legacy")) {
        compare(mismatches, mode + " per-connection", withoutVersion(direct), withoutVersion(through));
      } else {
        compare(mismatches, mode + " per-connection", direct, through);
      }
      compare(mismatches, mode + " /mcp/v1", directTools, toolsAndCalls(V2Agent.run(aggregate, mode, "--key", m.key(), "--prefix", slug + "__", "--tools-only")));
    }
    assertEquals(List.of(), mismatches);
  }

  private static ObjectNode toolsAndCalls(JsonNode agentOutput) {
    ObjectNode copy = agentOutput.deepCopy();
    return copy.retain("tools", "calls");
  }

  private static ObjectNode withoutVersion(JsonNode agentOutput) {
    ObjectNode copy = agentOutput.deepCopy();
    copy.remove("protocolVersion");
    return copy;
  }

  private static void compare(List<String> mismatches, String what, JsonNode direct, JsonNode through) {
    System.out.println("conformance v2 " + what + ": " + (direct.equals(through) ? "identical" : "DIFFERENT"));
    if (!direct.equals(through)) {
      mismatches.add(what + ": direct " + direct + "\n  through the gateway " + through);
    }
  }
}
