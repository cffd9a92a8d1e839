package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: a tools/call in an open session is served on the event loop from end to end ({@link
 * LoopCalls}), and whatever is not the common shape is handed to the worker path unread, so it is
 * answered exactly as before and the tool runs once. The upstream is an MCP Java SDK server whose
 * {@code progress} tool counts its runs and, given a progress token, streams a notification before
 * its result.
 */
@QuarkusTest
class LoopCallsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger runs = new AtomicInteger();
  private static SdkUpstream upstream;

  @Inject Db db;

  @BeforeAll
  static void start() throws Exception {
    SyncToolSpecification progress =
        SyncToolSpecification.builder()
            .tool(McpSchema.Tool.builder().name("progress").description("counts its runs").inputSchema(SdkUpstream.JSON, "{\"type\":\"object\"}").build())
            .callHandler(
                (exchange, req) -> {
                  int run = runs.incrementAndGet();
                  Object token = req.meta() == null ? null : req.meta().get("progressToken");
                  if (token != null) {
                    exchange.progressNotification(new McpSchema.ProgressNotification(token, 50.0, 100.0, "half way"));
                  }
                  return McpSchema.CallToolResult.builder().addTextContent("run " + run).build();
                })
            .build();
    upstream = new SdkUpstream("loop-upstream", progress);
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
  }

  @Test
  void aCallInAnOpenSessionIsAnsweredOnTheEventLoopAfterItsRowIsCommitted() throws Exception {
    Agent a = Agent.opened(Map.of());
    Counts before = Counts.now();
    long rows = rows(a.conn());

    Response r = post(a.member().key(), a.conn(), a.session(), call(5, null));
    assertEquals(200, r.statusCode(), r.asString());
    JsonNode response = GatewayTest.answer(r);
    assertEquals(5, response.path("id").asInt(), r.asString());
    assertEquals("run " + (before.runs() + 1), response.at("/result/content/0/text").asText());
    assertNotNull(r.header("X-RateLimit-Limit"), "the rate-limit headers of every API-key answer");
    assertNotNull(r.header("X-Request-Id"));
    assertEquals(before.answered() + 1, loopCalls("answered"), "served on the event loop");
    assertEquals(before.handedOver(), loopCalls("handed_over"));
    // the row is committed before the answer is written, so it is there as soon as the answer is
    assertEquals(rows + 1, rows(a.conn()));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(metrics.contains("uri=\"/mcp/v1/connections/{connection_id}\"") && !metrics.contains(a.conn()), "HTTP metrics by template, not by connection");
  }

  @Test
  void anAnswerThatStreamsANotificationFirstIsHandedOverAndTheToolRunsOnce() throws Exception {
    Agent a = Agent.opened(Map.of());
    Counts before = Counts.now();

    Response r = post(a.member().key(), a.conn(), a.session(), call(6, "tok-6"));
    assertEquals(200, r.statusCode(), r.asString());
    assertTrue(r.contentType().startsWith("text/event-stream"), r.contentType());
    assertTrue(r.asString().contains("notifications/progress") && r.asString().contains("tok-6"), "the progress reaches the agent: " + r.asString());
    assertEquals("run " + (before.runs() + 1), GatewayTest.answer(r).at("/result/content/0/text").asText());
    assertEquals(before.runs() + 1, runs.get(), "handed over, not sent again");
    assertEquals(before.handedOver() + 1, loopCalls("handed_over"));
    assertEquals(before.answered(), loopCalls("answered"));
    assertEquals("ok", activity(a.member(), a.conn()).get(0).path("outcome").asText());
  }

  @Test
  void aSessionTheServerEndedIsHandedOverAndEndsTheAgentsSession() throws Exception {
    Agent a = Agent.opened(Map.of());
    String upstreamSession = (String) db.query("SELECT upstream_session_id FROM gateway_sessions WHERE connection_id = ?::uuid", a.conn()).get(0).get(0);
    HttpResponse<String> ended =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(upstream.url())).header("Mcp-Session-Id", upstreamSession).header("MCP-Protocol-Version", "2025-06-18").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    assertTrue(ended.statusCode() < 300, "the server ends its session: " + ended.statusCode());
    double handedOver = loopCalls("handed_over");

    Response r = post(a.member().key(), a.conn(), a.session(), call(7, null));
    assertEquals(404, r.statusCode(), r.asString());
    assertEquals("not_found", JSON.readTree(r.asString()).path("error").asText(), r.asString());
    assertEquals(handedOver + 1, loopCalls("handed_over"));
    assertEquals(404, post(a.member().key(), a.conn(), a.session(), call(8, null)).statusCode(), "the agent's session ended with it");
  }

  @Test
  void aRequestThatRecordsNothingIsAnsweredOnTheEventLoopAlone() throws Exception {
    Agent a = Agent.opened(Map.of("allowed_tools", List.of("other")));
    double answered = loopCalls("answered");

    Response list = post(a.member().key(), a.conn(), a.session(), "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/list\",\"params\":{}}");
    assertEquals(200, list.statusCode(), list.asString());
    assertEquals(0, GatewayTest.answer(list).at("/result/tools").size(), "the server's one tool is outside the allowlist: " + list.asString());
    Response ping = post(a.member().key(), a.conn(), a.session(), "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    assertEquals("p", GatewayTest.answer(ping).path("id").asText(), ping.asString());
    assertEquals(answered + 2, loopCalls("answered"));
    assertEquals(0, activity(a.member(), a.conn()).size(), "neither records anything");
  }

  @Test
  void aCallTheEventLoopCannotServeFromMemoryTakesTheWorkerPath() throws Exception {
    Agent a = Agent.opened(Map.of("allowed_tools", List.of("other")));
    double answered = loopCalls("answered");
    double handedOver = loopCalls("handed_over");

    Response r = post(a.member().key(), a.conn(), a.session(), call(9, null));
    assertEquals(200, r.statusCode(), r.asString());
    assertEquals(-32602, JSON.readTree(r.asString()).at("/error/code").asInt(), "refused by the allowlist: " + r.asString());
    Response unknown = post(a.member().key(), a.conn(), "no-such-session", call(10, null));
    assertEquals(404, unknown.statusCode(), unknown.asString());
    assertEquals(answered, loopCalls("answered"));
    assertEquals(handedOver, loopCalls("handed_over"), "nothing was sent from the event loop");
    assertEquals("refused", activity(a.member(), a.conn()).get(0).path("outcome").asText());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** A member with a connection to the upstream (plus {@code extra} fields) and a session open on it. */
  record Agent(Member member, String conn, String session) {
    static Agent opened(Map<String, Object> extra) {
      Member m = Fixtures.newMember();
      Map<String, Object> fields = new java.util.HashMap<>(Map.of("name", "loop upstream", "server_url", upstream.url(), "provider", "user", "auth_method", "url"));
      fields.putAll(extra);
      String conn = Fixtures.create(m, fields);
      return new Agent(m, conn, open(m.key(), conn));
    }
  }

  /** The loop counters and the tool's runs before a step. */
  record Counts(double answered, double handedOver, int runs) {
    static Counts now() {
      return new Counts(loopCalls("answered"), loopCalls("handed_over"), LoopCallsTest.runs.get());
    }
  }

  private static String call(int id, String progressToken) {
    String meta = progressToken == null ? "" : ",\"_meta\":{\"progressToken\":\"" + progressToken + "\"}";
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"progress\",\"arguments\":{}" + meta + "}}";
  }

  private static Response post(String key, String conn, String session, String body) {
    return RelayTest.post(key, conn, session, body);
  }

  private static String open(String key, String conn) {
    return RelayTest.open(key, conn, "{}");
  }

  private static JsonNode activity(Member m, String conn) throws Exception {
    return RelayTest.activity(m, conn);
  }

  private long rows(String conn) {
    return ((Number) db.query("SELECT count(*) FROM connection_activity WHERE connection_id = ?::uuid AND outcome = 'ok'", conn).get(0).get(0)).longValue();
  }

  /** plugboard_gateway_loop_calls_total of {@code outcome}. */
  static double loopCalls(String outcome) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher matcher = Pattern.compile("plugboard_gateway_loop_calls_total\\{outcome=\"" + outcome + "\"} ([0-9.E]+)").matcher(metrics);
    assertTrue(matcher.find(), "exported: " + outcome);
    return Double.parseDouble(matcher.group(1));
  }
}
