package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.LoopbackJetty;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * Multi round-trip requests of MCP 2026-07-28 where Plugboard itself needs input: a connection that
 * needs a person answers a 2026-07-28 agent that declared URL elicitation with {@code input_required}
 * (the connect link as a URL elicitation) and a requestState of Plugboard's, which the retry must
 * present: sealed, bound to the caller and the request, short-lived and usable once. Also the
 * agent's own Mcp-Param-* headers, whose encoding Plugboard checks.
 */
@QuarkusTest
class ModernInputTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ECHO = "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}";
  static final String URL_ELICITATION = "{\"elicitation\":{\"url\":{}}}";

  @Inject Db db;
  @Inject RequestStates states;

  /** A 2026-07-28 request declaring {@code capabilities}, with its Mcp-* headers set to match the body, plus {@code extra}. */
  static Response post(String key, String path, int id, String method, String params, String capabilities, Map<String, String> extra) throws Exception {
    ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    ObjectNode p = (ObjectNode) JSON.readTree(params);
    ObjectNode meta = p.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
    meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "modern-agent").put("version", "1");
    meta.set("io.modelcontextprotocol/clientCapabilities", JSON.readTree(capabilities));
    msg.set("params", p);
    Map<String, String> headers = new HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", method));
    if (p.has("name")) {
      headers.put("Mcp-Name", dev.plugboard.mcp.McpHeaders.encode(p.get("name").asText()));
    }
    headers.putAll(extra);
    return given().header("Authorization", "Bearer " + key).header("Accept", ModernAgentTest.ACCEPT).contentType("application/json").headers(headers).body(msg.toString()).post(path);
  }

  /** A call of {@code tool} carrying {@code requestState} (null: none) as a retry does, with an accepted URL elicitation. */
  static JsonNode call(String key, String path, int id, String tool, String requestState) throws Exception {
    String params = "{\"name\":\"" + tool + "\",\"arguments\":{\"text\":\"hi\"}"
        + (requestState == null ? "" : ",\"requestState\":\"" + requestState + "\",\"inputResponses\":{\"plugboard_connect\":{\"action\":\"accept\"}}") + "}";
    Response r = post(key, path, id, "tools/call", params, URL_ELICITATION, Map.of());
    assertEquals(200, r.statusCode(), r.asString());
    return GatewayTest.answer(r);
  }

  /** The input_required answer carrying a connect link; returns it with its URL and Plugboard's requestState checked. */
  static JsonNode inputRequired(JsonNode answer, int id) {
    assertEquals(id, answer.get("id").asInt(), answer.toString());
    JsonNode result = answer.get("result");
    assertEquals("input_required", result.path("resultType").asText(), answer.toString());
    JsonNode ask = result.at("/inputRequests/plugboard_connect");
    assertEquals("elicitation/create", ask.path("method").asText(), answer.toString());
    assertEquals("url", ask.at("/params/mode").asText());
    assertTrue(ask.at("/params/url").asText().matches("https?://[^/]+/connect/[A-Za-z0-9_-]{43,}"), ask.toString());
    assertTrue(ask.at("/params/message").asText().contains("needs a person"), ask.toString());
    assertTrue(ask.path("params").path("elicitationId").isMissingNode(), "2026-07-28 has no elicitationId");
    assertTrue(result.path("requestState").asText().startsWith(RequestStates.PREFIX), answer.toString());
    return result;
  }

  static void invalidState(JsonNode answer, int id) {
    assertEquals(id, answer.get("id").asInt(), answer.toString());
    assertEquals(-32602, answer.at("/error/code").asInt(), answer.toString());
    assertEquals("invalid_request_state", answer.at("/error/data/reason").asText(), answer.toString());
  }

  @Test
  void aConnectionThatNeedsAPersonAsksAModernAgentWithInputRequiredAndItsStateIsUsableOnceByItsCallerForItsRequest() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      Map<String, Object> body = new HashMap<>(Map.of("name", "Vault", "server_url", peers.base() + "/hdr/mcp", "provider", "user"));
      body.putAll(ConnectLinkGatewayTest.secret("a-stale-secret-5e2b"));
      String conn = Fixtures.create(m, body);
      String path = "/mcp/v1/connections/" + conn;

      JsonNode first = inputRequired(call(m.key(), path, 1, "echo", null), 1);
      String url = first.at("/inputRequests/plugboard_connect/params/url").asText();
      JsonNode onAggregate = inputRequired(call(m.key(), "/mcp/v1", 2, "vault__echo", null), 2);
      assertEquals(url, onAggregate.at("/inputRequests/plugboard_connect/params/url").asText(), "the same pending link on /mcp/v1");

      // the person has not finished yet: the retry is asked again, with a new state (the first is used up)
      JsonNode again = inputRequired(call(m.key(), path, 3, "echo", first.get("requestState").asText()), 3);
      assertNotEquals(first.get("requestState").asText(), again.get("requestState").asText());
      invalidState(call(m.key(), path, 4, "echo", first.get("requestState").asText()), 4);

      String state = again.get("requestState").asText();
      char last = state.charAt(state.length() - 1);
      invalidState(call(m.key(), path, 5, "echo", state.substring(0, state.length() - 1) + (last == 'A' ? 'B' : 'A')), 5);
      invalidState(call(m.key(), path, 6, "add", state), 6); // another request (tool)
      invalidState(call(m.key(), "/mcp/v1", 7, "vault__echo", state), 7); // another request (endpoint)
      String otherKey = Fixtures.admin().body(Map.of("user_id", m.userId(), "team_id", m.teamId(), "name", "second")).post("/admin/v1/api-keys").then().statusCode(201).extract().path("key");
      invalidState(call(otherKey, path, 8, "echo", state), 8); // another caller, even the same person's other key
      UUID keyId = (UUID) db.query("SELECT id FROM api_keys WHERE user_id = ? AND name <> 'second'", UUID.fromString(m.userId())).get(0).get(0);
      String expired = states.issue(keyId, "connection:" + conn + "\ntools/call\necho", Instant.now().minusSeconds(1));
      invalidState(call(m.key(), path, 9, "echo", expired), 9);

      PersonAtPage.Visit visit = PersonAtPage.complete(url, Map.of("X-Secret", GatewayPeers.SECRET));
      assertEquals(200, visit.statuses().get(0), visit.toString());

      // the state survived every refusal above (none consumed it): the retry proceeds to the upstream
      JsonNode done = call(m.key(), path, 10, "echo", state);
      assertEquals("echo: hi", done.at("/result/content/0/text").asText(), done.toString());
      assertEquals("complete", done.at("/result/resultType").asText());
      invalidState(call(m.key(), path, 11, "echo", state), 11); // usable once
      assertTrue(db.count("SELECT count(*) FROM mcp_request_states WHERE expires_at > now()") >= 1, "used states are remembered");

      // and a call without any state works as well now
      Response plain = post(m.key(), path, 12, "tools/call", ECHO, "{}", Map.of());
      assertEquals("echo: hi", GatewayTest.answer(plain).at("/result/content/0/text").asText());

      // plugboard__connect: its input request hands a link over; the retry with its state says so instead of handing out another
      Response connect = post(m.key(), "/mcp/v1", 13, "tools/call", "{\"name\":\"plugboard__connect\",\"arguments\":{\"connection\":\"vault\"}}", URL_ELICITATION, Map.of());
      JsonNode asked = inputRequired(GatewayTest.answer(connect), 13);
      Response retried = post(m.key(), "/mcp/v1", 14, "tools/call",
          "{\"name\":\"plugboard__connect\",\"arguments\":{\"connection\":\"vault\"},\"requestState\":\"" + asked.get("requestState").asText() + "\",\"inputResponses\":{\"plugboard_connect\":{\"action\":\"accept\"}}}",
          URL_ELICITATION, Map.of());
      JsonNode handed = GatewayTest.answer(retried).get("result");
      assertEquals("complete", handed.path("resultType").asText(), retried.asString());
      assertTrue(handed.at("/content/0/text").asText().contains("handed to the person"), retried.asString());
    }
  }

  /**
   * Mixed eras: a 2025 upstream that sends a server-to-client request (here roots/list, which the
   * Java SDK sends without looking at the client's capabilities) in the middle of a 2026-07-28
   * agent's call. The revision has no way to carry it to the agent, so Plugboard answers it with
   * "method not found" and the call ends with the server's own answer: never a hang.
   */
  @Test
  void aModernAgentsCallIsAnsweredWhenA2025UpstreamAsksForSomethingMidCall() throws Exception {
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    try (LoopbackJetty jetty = new LoopbackJetty()) {
      var transport = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint("/mcp").build();
      McpSyncServer server =
          McpServer.sync(transport)
              .jsonMapper(json)
              .serverInfo("asks-mid-call", "1.0")
              .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
              .tools(
                  McpServerFeatures.SyncToolSpecification.builder()
                      .tool(McpSchema.Tool.builder().name("roots").description("Lists the client's roots").inputSchema(json, "{\"type\":\"object\"}").build())
                      .callHandler(
                          (exchange, req) -> {
                            String text;
                            try {
                              text = "roots: " + exchange.listRoots().roots().size();
                            } catch (RuntimeException e) {
                              text = "no roots: " + e.getMessage();
                            }
                            return McpSchema.CallToolResult.builder().addTextContent(text).build();
                          })
                      .build())
              .build();
      ServletHolder holder = new ServletHolder(transport);
      holder.setAsyncSupported(true);
      jetty.context().addServlet(holder, "/mcp");
      jetty.start();
      try {
        Member m = Fixtures.newMember();
        String conn = Fixtures.create(m, Map.of("name", "Asker", "server_url", jetty.base() + "/mcp", "provider", "user", "auth_method", "url"));
        Response r = post(m.key(), "/mcp/v1/connections/" + conn, 1, "tools/call", "{\"name\":\"roots\",\"arguments\":{}}", "{\"roots\":{}}", Map.of());
        assertEquals(200, r.statusCode(), r.asString());
        String text = GatewayTest.answer(r).at("/result/content/0/text").asText();
        assertTrue(text.startsWith("no roots:") && text.toLowerCase(java.util.Locale.ROOT).contains("method not found"), r.asString());
      } finally {
        server.close();
      }
    }
  }

  @Test
  void usedStatesArePurgedByMaintenanceOnceExpired() {
    UUID id = UUID.randomUUID();
    db.update("INSERT INTO mcp_request_states (id, expires_at) VALUES (?, now() - interval '1 minute')", id);
    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200)
        .body("tasks.find { it.task == 'gateway.purge-request-states' }.error", org.hamcrest.Matchers.nullValue());
    assertEquals(0, db.count("SELECT count(*) FROM mcp_request_states WHERE id = ?", id));
  }

  @Test
  void aMalformedMcpParamHeaderIsAHeaderMismatch() throws Exception {
    try (GatewayPeers peers = new GatewayPeers()) {
      Member m = Fixtures.newMember();
      String conn = Fixtures.create(m, Map.of("name", "Open", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
      for (String bad : new String[] {"=?base64?not base64!?=", "=?base64?//79?="}) {
        Response r = post(m.key(), "/mcp/v1/connections/" + conn, 1, "tools/call", ECHO, "{}", Map.of("Mcp-Param-Region", bad));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals(-32020, GatewayTest.answer(r).at("/error/code").asInt(), r.asString());
      }
      Response ok = post(m.key(), "/mcp/v1/connections/" + conn, 2, "tools/call", ECHO, "{}", Map.of("Mcp-Param-Region", "=?base64?WsO8cmljaA==?="));
      assertEquals("echo: hi", GatewayTest.answer(ok).at("/result/content/0/text").asText(), "a header the tool does not name is ignored by a 2025 upstream's gateway: " + ok.asString());
    }
  }
}
