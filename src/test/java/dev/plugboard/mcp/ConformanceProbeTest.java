package dev.plugboard.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.ReferenceServers;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/run.sh: probes each reference MCP server it started (one JSON line per
 * server: name, url, the tool names the official SDK client lists) and demands the same tools.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.conformance", matches = ".+")
class ConformanceProbeTest {

  @Test
  void probeListsExactlyTheToolsOfEveryReferenceServer() throws Exception {
    Member m = Fixtures.newMember();
    List<String> mismatches = new ArrayList<>();
    for (JsonNode server : ReferenceServers.load()) {
      List<String> expected = new ArrayList<>();
      server.get("tools").forEach(t -> expected.add(t.asText()));
      JsonPath answer =
          m.as().body(Map.of("server_url", server.get("url").asText())).post("/v1/connections/mcp/probe").then().statusCode(200).extract().jsonPath();
      List<String> got = answer.getBoolean("success") ? answer.getList("tools.name", String.class) : List.of();
      String verdict = server.get("name").asText() + ": expected " + expected + ", probe gave " + (answer.getBoolean("success") ? got : "error " + answer.getString("error"));
      System.out.println("conformance " + verdict);
      if (!got.equals(expected)) {
        mismatches.add(verdict);
      }
      for (Map<String, Object> tool : answer.getBoolean("success") ? answer.<Map<String, Object>>getList("tools") : List.<Map<String, Object>>of()) {
        assertTrue(tool.get("input_schema") instanceof Map, server.get("name").asText() + " tool without input_schema: " + tool);
      }
    }
    assertEquals(List.of(), mismatches);
  }
}
