package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faithful forwarding during a call (MCP 2025): the upstream's notifications reach the agent on the
 * answer's event stream as they happen, and its sampling and elicitation requests reach the agent
 * there too, whose answers (POSTed to the gateway like any response) go back to the same upstream
 * session. The upstream is an MCP Java SDK server whose tools wait for the agent's answer, so the
 * test controls when a call can end; the agent reads the gateway's event stream as it arrives.
 */
@QuarkusTest
class RelayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPT = "application/json, text/event-stream";
  /** How long one event may take to arrive before the test fails (a bound, not a pace). */
  private static final long EVENT_SECONDS = 20;

  private static SdkUpstream upstream;

  @BeforeAll
  static void start() throws Exception {
    McpJsonMapper json = SdkUpstream.JSON;
    upstream =
        new SdkUpstream(
            "relay-upstream",
                tool(json, "sample", (exchange, req) -> {
                  // progress first, then a question only the agent can answer: the call cannot end before it does
                  Object token = req.meta() == null ? null : req.meta().get("progressToken");
                  if (token != null) {
                    exchange.progressNotification(new McpSchema.ProgressNotification(token, 50.0, 100.0, "half way"));
                  }
                  McpSchema.CreateMessageResult sampled =
                      exchange.createMessage(
                          McpSchema.CreateMessageRequest.builder(
                                  List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER, new McpSchema.TextContent(String.valueOf(req.arguments().get("prompt"))))), 50)
                              .build());
                  return "sampled: " + ((McpSchema.TextContent) sampled.content()).text();
                }),
                tool(json, "ask", (exchange, req) -> {
                  McpSchema.ElicitResult answer =
                      exchange.createElicitation(
                          McpSchema.ElicitFormRequest.builder(
                                  "Your name?", Map.of("type", "object", "properties", Map.of("name", Map.of("type", "string")), "required", List.of("name")))
                              .build());
                  return "elicited: " + answer.action().name().toLowerCase() + " " + answer.content();
                }));
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
  }

  private static SyncToolSpecification tool(McpJsonMapper json, String name, BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, String> body) {
    return SyncToolSpecification.builder()
        .tool(McpSchema.Tool.builder().name(name).description(name).inputSchema(json, "{\"type\":\"object\"}").build())
        .callHandler((exchange, req) -> McpSchema.CallToolResult.builder().addTextContent(body.apply(exchange, req)).build())
        .build();
  }

  @Test
  void progressArrivesLiveAndTheAgentAnswersSampling() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m);
    String session = open(m.key(), conn, "{\"sampling\":{}}");

    Events events = call(m, conn, session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"sample\",\"arguments\":{\"prompt\":\"six times seven?\"},\"_meta\":{\"progressToken\":\"tok-1\"}}}");
    JsonNode progress = events.next();
    assertEquals("notifications/progress", progress.path("method").asText(), progress.toString());
    assertEquals("tok-1", progress.at("/params/progressToken").asText());
    JsonNode asked = events.request("sampling/createMessage");
    assertEquals("six times seven?", asked.at("/params/messages/0/content/text").asText());
    // The tool waits for this agent's answer, so the call's response cannot exist yet: nor can its activity row.
    assertEquals(0, activity(m, conn).size(), "the call is still running");

    JsonNode response = events.answer(asked, "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"forty-two\"},\"model\":\"agent-model\"}");
    assertEquals(7, response.path("id").asInt(), response.toString());
    assertEquals("sampled: forty-two", response.at("/result/content/0/text").asText(), "the tool's result reflects the agent's answer");
    JsonNode rows = activity(m, conn);
    assertEquals(1, rows.size(), "the activity row exists once the response has arrived");
    assertEquals("sample", rows.get(0).get("tool").asText());
    assertEquals("ok", rows.get(0).get("outcome").asText());
    events.assertEnded();
  }

  @Test
  void theAgentAnswersAFormElicitation() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m);
    Events events = call(m, conn, open(m.key(), conn, "{\"elicitation\":{\"form\":{}}}"), "{\"jsonrpc\":\"2.0\",\"id\":\"call-9\",\"method\":\"tools/call\",\"params\":{\"name\":\"ask\",\"arguments\":{}}}");
    JsonNode asked = events.request("elicitation/create");
    assertEquals("Your name?", asked.at("/params/message").asText());
    JsonNode response = events.answer(asked, "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}");
    assertEquals("call-9", response.path("id").asText(), response.toString());
    assertEquals("elicited: accept {name=Ada}", response.at("/result/content/0/text").asText());
    events.assertEnded();
  }

  @Test
  void anAgentWithoutTheCapabilityIsNotAsked() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m);
    String session = open(m.key(), conn, "{}");

    Response r = post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"sample\",\"arguments\":{\"prompt\":\"hi\"}}}");
    assertEquals(200, r.statusCode(), r.asString());
    assertFalse(r.asString().contains("sampling/createMessage"), "no request reaches an agent that did not declare sampling: " + r.asString());
    JsonNode response = GatewayTest.answer(r);
    assertEquals(3, response.path("id").asInt());
    assertTrue(response.has("error") || response.at("/result/isError").asBoolean(), "the tool fails upstream: " + response);
    assertEquals("error", activity(m, conn).get(0).get("outcome").asText());
  }

  @Test
  void theAggregateEndpointRelaysWithTheConnectionsPrefix() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m);
    String slug = m.as().get("/v1/connections/" + conn).then().statusCode(200).extract().path("slug");
    String session = open(m.key(), null, "{\"sampling\":{}}");

    Events events = call(m, null, session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"" + slug + "__sample\",\"arguments\":{\"prompt\":\"and now?\"},\"_meta\":{\"progressToken\":2}}}");
    assertEquals(2, events.next().at("/params/progressToken").asInt(), "progress arrives live on /mcp/v1 too");
    JsonNode asked = events.request("sampling/createMessage");
    assertTrue(asked.get("id").asText().startsWith(slug + "__"), "the relayed id names the connection: " + asked.get("id"));
    JsonNode response = events.answer(asked, "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"later\"},\"model\":\"m\"}");
    assertEquals(5, response.path("id").asInt(), response.toString());
    assertEquals("sampled: later", response.at("/result/content/0/text").asText());
    assertEquals("ok", activity(m, conn).get(0).get("outcome").asText());
    events.assertEnded();

    // An agent that offers nothing: Plugboard's own upstream session declares nothing, so nothing is asked.
    String bare = open(m.key(), null, "{}");
    Response r = post(m.key(), null, bare, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"" + slug + "__sample\",\"arguments\":{\"prompt\":\"hi\"}}}");
    assertFalse(r.asString().contains("sampling/createMessage"), r.asString());
    JsonNode failed = GatewayTest.answer(r);
    assertTrue(failed.has("error") || failed.at("/result/isError").asBoolean(), failed.toString());
  }

  /** What Plugboard itself relays on /mcp/v1, for an upstream that would ask regardless of what it was told (a pure function of the declared capabilities). */
  @Test
  void onTheAggregateOnlyWhatTheAgentOffersIsRelayed() throws Exception {
    JsonNode sampling = JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"sampling/createMessage\",\"params\":{}}");
    JsonNode form = JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":\"e\",\"method\":\"elicitation/create\",\"params\":{\"message\":\"?\"}}");
    JsonNode url = JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"elicitation/create\",\"params\":{\"mode\":\"url\",\"url\":\"https://x.test\"}}");
    var none = AggregateService.offered(JSON.readTree("{\"experimental\":{}}"));
    var formOnly = AggregateService.offered(JSON.readTree("{\"elicitation\":{},\"sampling\":{}}"));
    var urlOnly = AggregateService.offered(JSON.readTree("{\"elicitation\":{\"url\":{}}}"));
    assertEquals("{}", none.toString(), "only sampling, elicitation and roots are offered upstream");
    assertEquals(null, AggregateService.relayed(sampling, "s", none));
    assertEquals("s__4", AggregateService.relayed(sampling, "s", formOnly).get("id").asText());
    assertEquals("s__\"e\"", AggregateService.relayed(form, "s", formOnly).get("id").asText());
    assertEquals(null, AggregateService.relayed(url, "s", formOnly), "{} is form mode only");
    assertEquals(null, AggregateService.relayed(form, "s", urlOnly));
    assertEquals("s__5", AggregateService.relayed(url, "s", urlOnly).get("id").asText());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static String connection(Member m) {
    return Fixtures.create(m, Map.of("name", "relay upstream", "server_url", upstream.url(), "provider", "user", "auth_method", "url"));
  }

  static Response post(String key, String conn, String session, String body) {
    var r = given().header("Authorization", "Bearer " + key).header("Accept", ACCEPT).contentType(ContentType.JSON);
    if (session != null) {
      r = r.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return r.body(body).post(path(conn));
  }

  /** The connection's endpoint, or /mcp/v1 for {@code conn} null. */
  private static String path(String conn) {
    return conn == null ? "/mcp/v1" : "/mcp/v1/connections/" + conn;
  }

  /** initialize (declaring {@code capabilities}) and initialized; the session id. */
  static String open(String key, String conn, String capabilities) {
    Response init =
        post(key, conn, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":" + capabilities + ",\"clientInfo\":{\"name\":\"relay-agent\",\"version\":\"1\"}}}");
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    assertNotNull(session);
    assertEquals(202, post(key, conn, session, GatewayTest.INITIALIZED).statusCode());
    return session;
  }

  static JsonNode activity(Member m, String conn) throws Exception {
    Response r = m.as().get("/v1/connections/" + conn + "/activity");
    assertEquals(200, r.statusCode(), r.asString());
    return JSON.readTree(r.asString()).get("items");
  }

  /** POSTs a request and reads the answer's event stream as it arrives, on a reader thread. */
  private static Events call(Member m, String conn, String session, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path(conn)))
            .header("Authorization", "Bearer " + m.key())
            .header("Accept", ACCEPT)
            .header("Content-Type", "application/json")
            .header("Mcp-Session-Id", session)
            .header("MCP-Protocol-Version", "2025-06-18")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), "a live answer is an event stream");
    Events events = new Events(m.key(), conn, session);
    Thread reader = new Thread(() -> events.read(r.body()), "relay-test-reader");
    reader.setDaemon(true);
    reader.start();
    return events;
  }

  /** The data of each message event, in order; an empty node marks the end of the stream. */
  private static final class Events {
    private static final JsonNode END = JSON.createObjectNode();
    private final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    private final String key;
    private final String conn;
    private final String session;

    Events(String key, String conn, String session) {
      this.key = key;
      this.conn = conn;
      this.session = session;
    }

    /** The next message, which must be a server request of {@code method} relayed to the agent. */
    JsonNode request(String method) throws InterruptedException {
      JsonNode asked = next();
      assertEquals(method, asked.path("method").asText(), asked.toString());
      return asked;
    }

    /** POSTs the agent's {@code result} for {@code asked} (accepted: 202) and returns the next message. */
    JsonNode answer(JsonNode asked, String result) throws InterruptedException {
      String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + asked.get("id") + ",\"result\":" + result + "}";
      assertEquals(202, post(key, conn, session, answer).statusCode(), "the agent's answer is accepted and forwarded");
      return next();
    }

    void read(InputStream body) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("data:")) {
            data.append(line.substring(5).trim());
          } else if (line.isEmpty() && !data.isEmpty()) {
            queue.add(JSON.readTree(data.toString()));
            data.setLength(0);
          }
        }
      } catch (Exception e) {
        queue.add(JSON.createObjectNode().put("reader_failed", String.valueOf(e)));
      }
      queue.add(END);
    }

    /** The next message, waiting at most {@link #EVENT_SECONDS}. */
    JsonNode next() throws InterruptedException {
      JsonNode event = queue.poll(EVENT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(event, "no event within " + EVENT_SECONDS + " s");
      assertTrue(event != END, "the stream ended early");
      return event;
    }

    void assertEnded() throws InterruptedException {
      assertTrue(queue.poll(EVENT_SECONDS, TimeUnit.SECONDS) == END, "the stream ends after the response");
    }
  }
}
