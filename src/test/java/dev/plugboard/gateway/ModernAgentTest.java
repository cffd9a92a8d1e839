package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 2026-07-28 agents on both gateway endpoints, in front of MCP Java SDK servers of the 2025 era:
 * no session, version and capabilities in each request's _meta, headers checked against the body,
 * the revision's errors; and no session row is left behind.
 */
@QuarkusTest
class ModernAgentTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCEPT = "application/json, text/event-stream";
  @Inject Db db;

  /** A 2026-07-28 request: _meta envelope in the body; {@code headers} as given (a correct set unless a test says otherwise). */
  static Response post(String key, String path, String method, String params, Map<String, String> headers) throws Exception {
    ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", method);
    ObjectNode p = (ObjectNode) JSON.readTree(params);
    ObjectNode meta = p.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
    meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "modern-agent").put("version", "1");
    meta.putObject("io.modelcontextprotocol/clientCapabilities");
    msg.set("params", p);
    return given().header("Authorization", "Bearer " + key).header("Accept", ACCEPT).contentType("application/json").headers(headers).body(msg.toString()).post(path);
  }

  static Map<String, String> headers(String method) {
    return Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", method);
  }

  static JsonNode json(Response r) throws Exception {
    return GatewayTest.answer(r);
  }

  @Test
  void aModernAgentUsesAConnectionWithoutASession() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      String conn = Fixtures.create(m, Map.of("name", "Modern Open", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
      String path = "/mcp/v1/connections/" + conn;
      long before = sessions();

      Response discover = post(m.key(), path, "server/discover", "{}", headers("server/discover"));
      assertEquals(200, discover.statusCode(), discover.asString());
      assertNull(discover.header("Mcp-Session-Id"), "no session for a 2026-07-28 agent");
      JsonNode d = json(discover).get("result");
      assertEquals("2026-07-28", d.get("supportedVersions").get(0).asText());
      assertTrue(d.get("capabilities").has("tools"), d.toString());
      assertEquals("upstream-open", d.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText(), d.toString());

      Response list = post(m.key(), path, "tools/list", "{}", headers("tools/list"));
      assertEquals(200, list.statusCode(), list.asString());
      assertEquals(List.of("echo", "add"), names(json(list).get("result").get("tools")));

      Map<String, String> call = Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "echo");
      Response echo = post(m.key(), path, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}", call);
      assertEquals(200, echo.statusCode(), echo.asString());
      assertEquals("echo: hi", json(echo).get("result").get("content").get(0).get("text").asText());
      assertEquals(before, sessions(), "every request's session is gone with its answer");
      // audited like any call
      m.as().get("/v1/connections/" + conn + "/activity").then().statusCode(200).body("items[0].tool", org.hamcrest.Matchers.equalTo("echo"));
    }
  }

  @Test
  void aModernAgentListsAndCallsEveryToolOnTheAggregateEndpoint() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      String conn = Fixtures.create(m, Map.of("name", "Agg Modern", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
      String slug = m.as().get("/v1/connections/" + conn).then().statusCode(200).extract().path("slug");
      long before = sessions();

      JsonNode d = json(post(m.key(), "/mcp/v1", "server/discover", "{}", headers("server/discover"))).get("result");
      assertEquals("plugboard", d.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText(), d.toString());
      assertEquals("complete", d.get("resultType").asText());

      assertEquals(List.of(slug + "__echo", slug + "__add", "plugboard__connect"), names(json(post(m.key(), "/mcp/v1", "tools/list", "{}", headers("tools/list"))).get("result").get("tools")));
      String name = slug + "__add";
      Response add = post(m.key(), "/mcp/v1", "tools/call", "{\"name\":\"" + name + "\",\"arguments\":{\"a\":2,\"b\":3}}", Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", name));
      assertEquals(200, add.statusCode(), add.asString());
      assertEquals("5.0", json(add).get("result").get("content").get(0).get("text").asText());

      // no resources on /mcp/v1: the revision's unknown-method answer is HTTP 404 with -32601
      Response resources = post(m.key(), "/mcp/v1", "resources/list", "{}", headers("resources/list"));
      assertEquals(404, resources.statusCode(), resources.asString());
      assertEquals(-32601, json(resources).get("error").get("code").asInt());
      assertError(post(m.key(), "/mcp/v1/connections/" + conn, "subscriptions/listen", "{}", headers("subscriptions/listen")), 404, -32601);
      assertEquals(before, sessions());
    }
  }

  @Test
  void headersThatDisagreeWithTheBodyAndUnsupportedVersionsAreTheRevisionsErrors() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      for (String path : List.of("/mcp/v1", "/mcp/v1/connections/" + Fixtures.create(m, Map.of("name", "Modern Errors", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url")))) {
        // Mcp-Method missing, or naming another method
        assertError(post(m.key(), path, "tools/list", "{}", Map.of("MCP-Protocol-Version", "2026-07-28")), 400, -32020);
        assertError(post(m.key(), path, "tools/list", "{}", headers("prompts/list")), 400, -32020);
        // MCP-Protocol-Version missing while the body claims 2026-07-28
        assertError(post(m.key(), path, "tools/list", "{}", Map.of("Mcp-Method", "tools/list")), 400, -32020);
        // Mcp-Name missing, or another name than the body's
        assertError(post(m.key(), path, "tools/call", "{\"name\":\"x__echo\"}", headers("tools/call")), 400, -32020);
        Map<String, String> other = Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "x__add");
        assertError(post(m.key(), path, "tools/call", "{\"name\":\"x__echo\"}", other), 400, -32020);
        // a name outside plain ASCII travels Base64-encoded, and is decoded before comparing: no mismatch
        Map<String, String> encoded = Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "=?base64?eF9fZ3LDvMOfZQ==?=");
        Response grusse = post(m.key(), path, "tools/call", "{\"name\":\"x__grüße\"}", encoded);
        assertTrue(grusse.statusCode() == 200 && !json(grusse).path("error").path("code").asText().equals("-32020"), grusse.asString());
      }
      // an unknown revision in _meta: -32022 naming the supported ones
      String body =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
      Response unsupported =
          given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("MCP-Protocol-Version", "2099-01-01").header("Mcp-Method", "tools/list")
              .contentType("application/json").body(body).post("/mcp/v1");
      JsonNode error = assertError(unsupported, 400, -32022);
      assertEquals("2026-07-28", error.get("data").get("supported").get(0).asText());
      assertEquals("2099-01-01", error.get("data").get("requested").asText());
      // the envelope's capabilities are required
      String noCaps = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}";
      assertError(
          given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).headers(headers("tools/list")).contentType("application/json").body(noCaps).post("/mcp/v1"),
          400,
          -32602);
      // a notification is accepted and goes nowhere
      String note = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}";
      given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("MCP-Protocol-Version", "2026-07-28").contentType("application/json").body(note).post("/mcp/v1").then().statusCode(202);
    }
  }

  private static JsonNode assertError(Response r, int status, int code) throws Exception {
    assertEquals(status, r.statusCode(), r.asString());
    JsonNode error = json(r).get("error");
    assertEquals(code, error.get("code").asInt(), r.asString());
    return error;
  }

  private static List<String> names(JsonNode tools) {
    List<String> out = new java.util.ArrayList<>();
    tools.forEach(t -> out.add(t.get("name").asText()));
    return out;
  }

  private long sessions() {
    return db.count("SELECT count(*) FROM gateway_sessions");
  }
}
