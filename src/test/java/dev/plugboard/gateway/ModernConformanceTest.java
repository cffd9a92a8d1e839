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
import dev.plugboard.mcp.McpHeaders;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
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
      JsonNode throughAggregate = V2Agent.run(aggregate, mode, "--key", m.key(), "--prefix", slug + "__", "--tools-only");
      if (mode.equals("legacy")) {
        // a 2025 agent cannot answer the input_required of `confirm`: it gets a clear error instead (no hang)
        compare(mismatches, mode + " per-connection", withoutConfirm(withoutVersion(direct)), withoutLegacyConfirm(withoutVersion(through)));
        compare(mismatches, mode + " /mcp/v1", withoutConfirm(directTools), toolsAndCalls(throughAggregate));
        for (JsonNode legacy : List.of(through, throughAggregate)) {
          String error = legacy.path("confirmLegacy").path("error").asText("");
          assertTrue(error.contains("2026-07-28"), "a 2025 agent is told why it cannot answer input_required: " + legacy.path("confirmLegacy"));
        }
      } else {
        // `confirm` answers input_required; the SDK answers it (form elicitation, sampling) and retries through Plugboard
        compare(mismatches, mode + " per-connection", direct, through);
        compare(mismatches, mode + " /mcp/v1", directTools, toolsAndCalls(throughAggregate));
      }
    }
    assertTrue(direct.path("calls").path("confirm").toString().contains("confirmed by Ada"), "the multi round-trip tool completed: " + direct.path("calls"));
    assertEquals(List.of(), mismatches);

    // A 2026-07-28 agent's own Mcp-Param-* headers: passed to the server, and checked against the body
    // (the tool's x-mcp-header annotations) when they do not agree with it.
    String forecast = "{\"name\":\"forecast\",\"arguments\":{\"region\":\"Zürich Nord\",\"days\":3}}";
    String viaAggregate = "{\"name\":\"" + slug + "__forecast\",\"arguments\":{\"region\":\"Zürich Nord\",\"days\":3}}";
    String region = McpHeaders.encode("Zürich Nord");
    for (String[] at : List.of(new String[] {perConnection, forecast}, new String[] {aggregate, viaAggregate})) {
      Response ok = ModernInputTest.post(m.key(), at[0], 1, "tools/call", at[1], "{}", Map.of("Mcp-Param-Region", region));
      assertEquals(200, ok.statusCode(), ok.asString());
      assertEquals("3-day forecast for Zürich Nord: sunny", GatewayTest.answer(ok).at("/result/content/0/text").asText(), ok.asString());
      for (Map<String, String> wrong : List.of(Map.of("mcp-param-region", "Bern"), Map.<String, String>of())) {
        Response refused = ModernInputTest.post(m.key(), at[0], 2, "tools/call", at[1], "{}", wrong);
        assertEquals(400, refused.statusCode(), wrong + ": " + refused.asString());
        JsonNode error = GatewayTest.answer(refused).get("error");
        assertEquals(-32020, error.get("code").asInt(), refused.asString());
        assertTrue(error.get("message").asText().contains("Mcp-Param-Region"), refused.asString());
      }
    }
  }

  /**
   * Plugboard's own input request through the real v2 client: a connection that needs a person answers
   * the pinned 2026-07-28 client (URL elicitation declared) with input_required; the SDK gives the
   * URL elicitation to the client's handler, which completes the hosted page as the person, and
   * retries with Plugboard's requestState; the retry reaches the connection's server. On both endpoints.
   */
  @Test
  void aPinnedV2ClientGetsTheConnectLinkAsInputRequiredAndItsRetryWorks() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      List<String> ids = new ArrayList<>();
      for (String name : List.of("Modern Vault A", "Modern Vault B")) {
        ids.add(Fixtures.create(m, Map.of("name", name, "server_url", peers.base() + "/hdr/mcp", "provider", "user", "auth_method", "apikey",
            "headers", Map.of("secret", Map.of("X-Secret", "nobody-typed-this-yet")))));
      }
      String slugB = m.as().get("/v1/connections/" + ids.get(1)).then().statusCode(200).extract().path("slug");
      JsonNode out = V2Agent.script("connect-agent.mjs", "http://127.0.0.1:" + RestAssured.port, m.key(), ids.get(0), slugB, "echo",
          "{\"text\":\"after the link\"}", "{\"X-Secret\":\"" + GatewayPeers.SECRET + "\"}");
      System.out.println("conformance v2 connect link: " + out.path("elicitations").size() + " URL elicitations answered, then the retries worked");
      assertEquals(2, out.path("elicitations").size(), out.toString());
      for (JsonNode e : out.path("elicitations")) {
        assertEquals("url", e.path("mode").asText(), out.toString());
        assertTrue(e.path("url").asText().contains("/connect/"), out.toString());
      }
      assertEquals("echo: after the link", out.at("/perConnection/content/0/text").asText(), out.toString());
      assertEquals("echo: after the link", out.at("/aggregate/content/0/text").asText(), out.toString());
    }
  }

  private static ObjectNode withoutConfirm(JsonNode agentOutput) {
    ObjectNode copy = agentOutput.deepCopy();
    ((ObjectNode) copy.get("calls")).remove("confirm");
    return copy;
  }

  private static ObjectNode withoutLegacyConfirm(JsonNode agentOutput) {
    ObjectNode copy = agentOutput.deepCopy();
    copy.remove("confirmLegacy");
    return copy;
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
