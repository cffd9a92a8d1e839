package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.ReferenceServers;
import dev.plugboard.support.SdkAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/run.sh with the reference servers it started: the official TypeScript SDK
 * client (conformance/agent.mjs) uses each server directly, then through the gateway holding only
 * an API key, and must get the same initialize result, tools, tool results, prompts and resources;
 * then through the aggregate endpoint /mcp/v1, where it must get the same tools and tool results
 * under the connection's prefix.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.conformance", matches = ".+")
class GatewayConformanceTest {

  @Test
  void theSdkClientGetsThroughTheGatewayWhatItGetsDirectly() throws Exception {
    Member m = Fixtures.newMember();
    ObjectMapper json = new ObjectMapper();
    List<String> mismatches = new ArrayList<>();
    Map<String, JsonNode> directs = new LinkedHashMap<>();
    for (JsonNode server : ReferenceServers.load()) {
      String name = server.get("name").asText();
      String kind = server.get("kind").asText();
      String id =
          Fixtures.create(
              m,
              Map.of("name", name, "server_url", server.get("url").asText(), "provider", "user", "auth_method", "url", "transport_type", kind));
      JsonNode direct = SdkAgent.run(server.get("url").asText(), kind, null);
      JsonNode through = SdkAgent.run("http://127.0.0.1:" + RestAssured.port + "/mcp/v1/connections/" + id, "http", m.key());
      assertTrue(direct.get("tools").size() > 0, name + " lists no tools");
      System.out.println("conformance gateway " + name + ": " + direct.get("tools").size() + " tools, calls " + direct.get("calls").size() + (direct.equals(through) ? ", identical" : ", DIFFERENT"));
      if (!direct.equals(through)) {
        mismatches.add(name + ": direct " + direct + "\n  through the gateway " + through);
      }
      directs.put(id, direct);
    }
    // The aggregate endpoint serves every connection above at once; each must be there under its slug.
    for (Map.Entry<String, JsonNode> e : directs.entrySet()) {
      String slug = m.as().get("/v1/connections/" + e.getKey()).then().statusCode(200).extract().path("slug");
      ObjectNode direct = json.createObjectNode();
      direct.set("tools", e.getValue().get("tools"));
      direct.set("calls", e.getValue().get("calls"));
      JsonNode aggregated = SdkAgent.run("http://127.0.0.1:" + RestAssured.port + "/mcp/v1", "http", m.key(), slug);
      System.out.println("conformance aggregate " + slug + ": " + (direct.equals(aggregated) ? "identical" : "DIFFERENT"));
      if (!direct.equals(aggregated)) {
        mismatches.add(slug + " (aggregate): direct " + direct + "\n  through /mcp/v1 " + aggregated);
      }
    }
    assertEquals(List.of(), mismatches);
  }
}
