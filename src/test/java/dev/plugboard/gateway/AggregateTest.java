package dev.plugboard.gateway;

import static dev.plugboard.gateway.GatewayTest.ACCEPT;
import static dev.plugboard.gateway.GatewayTest.INITIALIZED;
import static dev.plugboard.gateway.GatewayTest.answer;
import static dev.plugboard.gateway.GatewayTest.initialize;
import static dev.plugboard.gateway.GatewayTest.request;
import static dev.plugboard.gateway.GatewayTest.sha256;
import static dev.plugboard.gateway.GatewayTest.toolNames;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.gateway.GatewayPeers.Seen;
import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The aggregate MCP endpoint /mcp/v1 over MCP Java SDK servers with different tools, and one that is gone. */
@QuarkusTest
class AggregateTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static GatewayPeers peers;
  static String deadUrl;

  @Inject Db db;

  @BeforeAll
  static void start() throws Exception {
    peers = new GatewayPeers();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      deadUrl = "http://127.0.0.1:" + s.getLocalPort() + "/mcp"; // nothing listens there any more
    }
  }

  @AfterAll
  static void stop() throws Exception {
    peers.close();
  }

  static String connection(Member m, String name, String url, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(Map.of("name", name, "server_url", url, "provider", "user", "auth_method", "url"));
    body.putAll(extra);
    return Fixtures.create(m, body);
  }

  static Response post(String key, String session, Object message) {
    var r = given().header("Authorization", "Bearer " + key).header("Accept", ACCEPT).contentType(ContentType.JSON);
    if (session != null) {
      r = r.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return r.body(message.toString()).post("/mcp/v1");
  }

  record Agent(String key, String session, JsonNode initialize) {
    JsonNode call(int id, String method, String params) throws Exception {
      Response r = post(key, session, request(id, method, params));
      assertEquals(200, r.statusCode(), r.asString());
      return answer(r);
    }

    Response raw(int id, String method, String params) throws Exception {
      return post(key, session, request(id, method, params));
    }

    JsonNode tool(int id, String name, String arguments) throws Exception {
      return call(id, "tools/call", "{\"name\":\"" + name + "\",\"arguments\":" + arguments + "}");
    }
  }

  static Agent open(String key) throws Exception {
    Response init = post(key, null, initialize());
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    assertNotNull(session);
    assertEquals(202, post(key, session, INITIALIZED).statusCode());
    return new Agent(key, session, answer(init));
  }

  /** A team with four connections of one member (one behind a secret header, one gone, one limited), and a stranger's. */
  record World(Member member, String alpha, String words, String dead, String limited) {}

  static World world() {
    Member m = Fixtures.newMember();
    String alpha = connection(m, "Alpha Tools", peers.base() + "/hdr/mcp", Map.of("auth_method", "apikey", "headers", Map.of("secret", Map.of("X-Secret", GatewayPeers.SECRET))));
    String words = connection(m, "Words", peers.base() + "/words/mcp", Map.of());
    String dead = connection(m, "Dead", deadUrl, Map.of());
    String limited = connection(m, "Limited", peers.base() + "/open/mcp", Map.of("allowed_tools", List.of("add")));
    connection(Fixtures.newMember(), "Foreign", peers.base() + "/open/mcp", Map.of()); // another team's
    return new World(m, alpha, words, dead, limited);
  }

  @Test
  void oneServerForEveryVisibleConnectionWithPrefixedToolsRoutedToTheirUpstream() throws Exception {
    World w = world();
    Agent a = open(w.member().key());
    assertEquals("plugboard", a.initialize().at("/result/serverInfo/name").asText());
    assertTrue(a.initialize().at("/result/capabilities/tools/listChanged").asBoolean());
    assertEquals("2025-06-18", a.initialize().at("/result/protocolVersion").asText());

    JsonNode list = a.call(2, "tools/list", "{}");
    assertEquals(
        new TreeSet<>(Set.of("alpha_tools__echo", "alpha_tools__add", "words__lookup", "limited__add", PersonNeeded.CONNECT_TOOL)),
        new TreeSet<>(toolNames(list)),
        "the union of the allowed tools, prefixed, and the built-in plugboard__connect; the dead upstream, the other team's connection and a name over 128 characters are not there");
    JsonNode lookup = null;
    for (JsonNode t : list.at("/result/tools")) {
      if (t.get("name").asText().equals("words__lookup")) {
        lookup = t;
      }
    }
    assertEquals("Look a word up", lookup.get("description").asText());
    assertEquals(JSON.readTree("[\"word\"]"), lookup.at("/inputSchema/required"), "the input schema is the upstream's");

    peers.seen.clear();
    JsonNode echo = a.tool(3, "alpha_tools__echo", "{\"text\":\"hi\"}");
    assertEquals(3, echo.get("id").asInt());
    assertEquals("echo: hi", echo.at("/result/content/0/text").asText());
    List<Seen> toAlpha = peers.seen.stream().filter(s -> s.path().equals("/hdr/mcp") && s.method().equals("POST")).toList();
    assertFalse(toAlpha.isEmpty());
    assertTrue(toAlpha.stream().allMatch(s -> GatewayPeers.SECRET.equals(s.secretHeader())), "with that connection's credentials");
    assertEquals("found fox in words", a.tool(4, "words__lookup", "{\"word\":\"fox\"}").at("/result/content/0/text").asText());
    assertEquals("5.0", a.tool(5, "limited__add", "{\"a\":2,\"b\":3}").at("/result/content/0/text").asText());

    peers.seen.clear();
    JsonNode refused = a.tool(6, "limited__echo", "{\"text\":\"no\"}");
    assertEquals(-32602, refused.at("/error/code").asInt());
    assertEquals("tool echo is not allowed on this connection", refused.at("/error/message").asText());
    JsonNode foreign = a.tool(7, "foreign__echo", "{\"text\":\"no\"}");
    assertEquals(-32602, foreign.at("/error/code").asInt());
    assertTrue(foreign.at("/error/message").asText().startsWith("Unknown tool: foreign__echo"), foreign.toString());
    assertEquals(-32602, a.tool(8, "echo", "{}").at("/error/code").asInt(), "a name without a prefix");
    assertEquals(List.of(), List.copyOf(peers.seen), "refused and unknown calls reach no upstream");

    JsonNode dead = a.tool(9, "dead__anything", "{}");
    assertEquals(-32000, dead.at("/error/code").asInt());
    assertEquals("unreachable", dead.at("/error/data/reason").asText());

    assertEquals(JSON.readTree("{}"), a.call(10, "ping", "{}").get("result"));
    JsonNode resources = a.call(11, "resources/list", "{}");
    assertEquals(-32601, resources.at("/error/code").asInt());
    assertTrue(resources.at("/error/message").asText().contains("/mcp/v1/connections/{connection_id}"));

    JsonNode activity = JSON.readTree(w.member().as().get("/v1/connections/" + w.alpha() + "/activity").asString());
    assertEquals("echo", activity.at("/items/0/tool").asText());
    assertEquals("ok", activity.at("/items/0/outcome").asText());
    JsonNode limited = JSON.readTree(w.member().as().get("/v1/connections/" + w.limited() + "/activity").asString());
    assertEquals(List.of("refused", "ok"), List.of(limited.at("/items/0/outcome").asText(), limited.at("/items/1/outcome").asText()));
    JsonNode deadTrail = JSON.readTree(w.member().as().get("/v1/connections/" + w.dead() + "/activity").asString());
    assertEquals("error", deadTrail.at("/items/0/outcome").asText());
  }

  @Test
  void theSessionIsItsKeysAndDeleteEndsEveryUpstreamSession() throws Exception {
    World w = world();
    Agent a = open(w.member().key());
    a.call(2, "tools/list", "{}");
    List<Object> row = db.query("SELECT upstreams::text FROM gateway_sessions WHERE id_hash = ?", (Object) sha256(a.session())).get(0);
    JsonNode upstreams = JSON.readTree((String) row.get(0));
    String alphaUpstream = upstreams.path(w.alpha()).path("session_id").asText(null);
    assertNotNull(alphaUpstream, "the listing opened an upstream session per connection, kept in the row: " + upstreams);
    assertTrue(upstreams.has(w.words()) && !upstreams.has(w.dead()));

    String otherKey =
        Fixtures.admin()
            .body(Map.of("user_id", w.member().userId(), "team_id", w.member().teamId(), "name", "second"))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    post(otherKey, a.session(), request(3, "tools/list", "{}")).then().statusCode(404).body("error", equalTo("not_found"));
    given().header("Authorization", "Bearer " + otherKey).header("Mcp-Session-Id", a.session()).delete("/mcp/v1").then().statusCode(404);

    peers.seen.clear();
    assertEquals("echo: again", a.tool(4, "alpha_tools__echo", "{\"text\":\"again\"}").at("/result/content/0/text").asText());
    assertTrue(peers.seen.stream().filter(s -> s.path().equals("/hdr/mcp")).allMatch(s -> alphaUpstream.equals(s.sessionId())), "the call reused the listing's upstream session");

    given().header("Authorization", "Bearer " + a.key()).header("Mcp-Session-Id", a.session()).delete("/mcp/v1").then().statusCode(204);
    Await.until("the upstream session is ended", 10, () -> peers.seen.stream().anyMatch(s -> s.method().equals("DELETE") && alphaUpstream.equals(s.sessionId())));
    post(a.key(), a.session(), request(5, "tools/list", "{}")).then().statusCode(404);
    // a per-connection session id is no aggregate session, and the other way round
    GatewayTest.Session perConnection = GatewayTest.open(w.member().key(), w.words());
    post(w.member().key(), perConnection.id(), request(6, "tools/list", "{}")).then().statusCode(404);
    assertTrue(toolNames(perConnection.call(7, "tools/list", "{}")).contains(GatewayPeers.LONG_NAME), "a tool left out of /mcp/v1 for its long name is still the connection's");
  }

  @Test
  void aChangedSetOfToolsIsAnnouncedOnceOnTheNextAnswer() throws Exception {
    World w = world();
    Agent a = open(w.member().key());
    assertFalse(toolNames(a.call(2, "tools/list", "{}")).contains("limited__echo"));
    Response quiet = a.raw(3, "ping", "{}");
    assertTrue(quiet.contentType().startsWith("application/json"), "nothing changed: a plain answer");

    w.member().as().body(Map.of("allowed_tools", List.of("add", "echo"))).patch("/v1/connections/" + w.limited()).then().statusCode(200);
    Response told = a.raw(4, "ping", "{}");
    assertTrue(told.contentType().startsWith("text/event-stream"), told.contentType());
    String body = told.asString();
    assertTrue(body.indexOf("notifications/tools/list_changed") >= 0 && body.indexOf("notifications/tools/list_changed") < body.indexOf("\"id\":4"), body);
    assertEquals(JSON.readTree("{}"), answer(told).get("result"));
    assertTrue(a.raw(5, "ping", "{}").contentType().startsWith("application/json"), "announced once");
    assertTrue(toolNames(a.call(6, "tools/list", "{}")).contains("limited__echo"));

    connection(w.member(), "Words Again", peers.base() + "/words/mcp", Map.of());
    assertTrue(a.raw(7, "tools/call", "{\"name\":\"words__lookup\",\"arguments\":{\"word\":\"x\"}}").asString().contains("notifications/tools/list_changed"), "a new connection changes the set");
  }

  @Test
  void theTransportRulesAreThoseOfTheConnectionEndpoint() throws Exception {
    Member m = Fixtures.newMember();
    given().header("Authorization", "Bearer " + m.key()).header("Accept", "application/json").contentType(ContentType.JSON)
        .body(initialize().toString()).post("/mcp/v1").then().statusCode(406);
    post(m.key(), null, request(2, "tools/list", "{}")).then().statusCode(400).body("error.code", equalTo(-32001));
    post(m.key(), "no-such-session", request(2, "tools/list", "{}")).then().statusCode(404);
    given().header("Authorization", "Bearer " + m.key()).header("Accept", "text/event-stream").get("/mcp/v1").then().statusCode(405);
    given().contentType(ContentType.JSON).header("Accept", ACCEPT).body(initialize().toString()).post("/mcp/v1").then().statusCode(401);
    Agent a = open(m.key());
    assertEquals(List.of(PersonNeeded.CONNECT_TOOL), toolNames(a.call(2, "tools/list", "{}")), "no connections, only the built-in tool");
  }
}
