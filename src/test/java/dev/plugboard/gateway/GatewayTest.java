package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-connection MCP gateway against real MCP Java SDK servers. */
@QuarkusTest
class GatewayTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCEPT = "application/json, text/event-stream";
  static GatewayPeers peers;

  @Inject Db db;
  @Inject CredentialService credentials;

  @BeforeAll
  static void start() throws Exception {
    peers = new GatewayPeers();
  }

  @AfterAll
  static void stop() throws Exception {
    peers.close();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  static String connection(Member m, String path, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(Map.of("name", "up " + path, "server_url", peers.base() + path, "provider", "user", "auth_method", "url"));
    body.putAll(extra);
    return Fixtures.create(m, body);
  }

  /**
   * A connection to {@code peers}' bearer-protected server that authenticates with these tokens (as an
   * OAuth flow would have stored them; the refresh token, if any, goes to the peers' token endpoint).
   */
  static String oauthConnection(Member m, GatewayPeers peers, Db db, CredentialService credentials, String accessToken, String refreshToken) {
    String conn = Fixtures.create(m, Map.of("name", "oauth " + UUID.randomUUID(), "server_url", peers.base() + "/oauth/mcp", "provider", "user", "auth_method", "url"));
    UUID id = UUID.fromString(conn);
    db.update("UPDATE connections SET auth_method = 'oauth' WHERE id = ?", id);
    QuarkusTransaction.requiringNew()
        .run(() -> credentials.saveTokens(id, new Tokens(accessToken, refreshToken, "Bearer", Instant.now().plus(1, ChronoUnit.HOURS), List.of("openid"), peers.tokenEndpoint(), null, "gateway-test", null, null)));
    return conn;
  }

  static Response post(String key, String connectionId, String session, Object message) {
    var r = given().header("Authorization", "Bearer " + key).header("Accept", ACCEPT).contentType(ContentType.JSON);
    if (session != null) {
      r = r.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return r.body(message.toString()).post("/mcp/v1/connections/" + connectionId);
  }

  static ObjectNode request(int id, String method, String params) throws Exception {
    ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    m.set("params", JSON.readTree(params));
    return m;
  }

  static ObjectNode initialize() throws Exception {
    return request(1, "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test-agent\",\"version\":\"1\"}}");
  }

  static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

  /** The JSON-RPC response in a JSON or event-stream body (the last message event). */
  static JsonNode answer(Response r) throws Exception {
    String body = r.asString();
    if (!r.contentType().startsWith("text/event-stream")) {
      return JSON.readTree(body);
    }
    JsonNode last = null;
    for (String event : body.split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : event.split("\n")) {
        if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      if (!data.isEmpty()) {
        last = JSON.readTree(data.toString());
      }
    }
    return last;
  }

  /** An agent's session: initialize and initialized through the gateway. */
  record Session(String key, String connectionId, String id, JsonNode initialize) {
    JsonNode call(int rpcId, String method, String params) throws Exception {
      Response r = post(key, connectionId, id, request(rpcId, method, params));
      assertEquals(200, r.statusCode(), r.asString());
      return answer(r);
    }
  }

  static Session open(String key, String connectionId) throws Exception {
    Response init = post(key, connectionId, null, initialize());
    assertEquals(200, init.statusCode(), init.asString());
    String id = init.header("Mcp-Session-Id");
    assertNotNull(id, "initialize issues a session");
    assertEquals(202, post(key, connectionId, id, INITIALIZED).statusCode());
    return new Session(key, connectionId, id, answer(init));
  }

  /** The same exchanges made directly with the upstream server, for comparison. */
  static final class Direct {
    final HttpClient http = HttpClient.newHttpClient();
    final String url;
    String session;

    Direct(String url) {
      this.url = url;
    }

    JsonNode send(Object message) throws Exception {
      var b = HttpRequest.newBuilder(URI.create(url)).header("Accept", ACCEPT).header("Content-Type", "application/json");
      if (session != null) {
        b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
      }
      HttpResponse<String> r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(message.toString())).build(), HttpResponse.BodyHandlers.ofString());
      r.headers().firstValue("Mcp-Session-Id").ifPresent(s -> session = s);
      if (r.statusCode() == 202) {
        return null;
      }
      String ct = r.headers().firstValue("Content-Type").orElse("");
      if (!ct.startsWith("text/event-stream")) {
        return JSON.readTree(r.body());
      }
      String data = null;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("data:")) {
          data = line.substring(5).trim();
        }
      }
      return JSON.readTree(data);
    }
  }

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }

  String upstreamSessionOf(Session s) throws Exception {
    return (String) db.query("SELECT upstream_session_id FROM gateway_sessions WHERE id_hash = ?", (Object) sha256(s.id())).get(0).get(0);
  }

  // ---- tests ------------------------------------------------------------------------------------

  @Test
  void resultsAreThoseOfTheUpstreamServer() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    Session s = open(m.key(), conn);
    JsonNode list = s.call(2, "tools/list", "{}");
    JsonNode echo = s.call(3, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}");
    JsonNode add = s.call(4, "tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}");
    JsonNode ping = s.call(5, "ping", "{}");
    JsonNode unknown = s.call(6, "tools/call", "{\"name\":\"nope\",\"arguments\":{}}");

    Direct d = new Direct(peers.base() + "/open/mcp");
    JsonNode dInit = d.send(initialize());
    d.send(INITIALIZED);
    assertEquals(dInit, s.initialize(), "initialize");
    assertEquals(d.send(request(2, "tools/list", "{}")), list, "tools/list");
    assertEquals(d.send(request(3, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}")), echo);
    assertEquals(d.send(request(4, "tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3}}")), add);
    assertEquals(d.send(request(5, "ping", "{}")), ping);
    assertEquals(d.send(request(6, "tools/call", "{\"name\":\"nope\",\"arguments\":{}}")), unknown, "an upstream JSON-RPC error passes through unchanged");
    assertEquals("echo: hi", echo.at("/result/content/0/text").asText());
    assertEquals(2, list.at("/result/tools").size());
    assertNotEquals(d.session, s.id(), "the agent's session id is Plugboard's own");
  }

  @Test
  void headerSecretReachesTheUpstreamButNeverTheAgent() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/hdr/mcp", Map.of("auth_method", "apikey", "headers", Map.of("secret", Map.of("X-Secret", GatewayPeers.SECRET))));
    Response init = post(m.key(), conn, null, initialize());
    String session = init.header("Mcp-Session-Id");
    Response list = post(m.key(), conn, session, request(2, "tools/list", "{}"));
    assertEquals(2, answer(list).at("/result/tools").size());
    assertTrue(peers.seen.stream().anyMatch(s -> s.path().equals("/hdr/mcp") && GatewayPeers.SECRET.equals(s.secretHeader())));
    for (Response r : List.of(init, list)) {
      assertFalse(r.asString().contains(GatewayPeers.SECRET));
      assertFalse(r.headers().toString().contains(GatewayPeers.SECRET));
    }

    // A secret the server refuses needs a person (ConnectLinkGatewayTest): Plugboard answers initialize
    // itself, and the refused secret never comes back.
    String wrong = "wrong-secret-value-91bd";
    String refused = connection(m, "/hdr/mcp", Map.of("auth_method", "apikey", "headers", Map.of("secret", Map.of("X-Secret", wrong))));
    Response r = post(m.key(), refused, null, initialize());
    assertEquals(200, r.statusCode());
    assertEquals("plugboard", answer(r).at("/result/serverInfo/name").asText(), r.asString());
    assertNotNull(r.header("Mcp-Session-Id"));
    assertTrue(peers.seen.stream().anyMatch(s -> s.path().equals("/hdr/mcp") && wrong.equals(s.secretHeader())), "the server was asked");
    assertFalse(r.asString().contains(wrong));
  }

  @Test
  void anOAuthTokenRefusedUpstreamIsRefreshedOnceAndTheCallRetried() throws Exception {
    Member m = Fixtures.newMember();
    String stale = "stale-token-" + UUID.randomUUID();
    String conn = oauthConnection(m, peers, db, credentials, stale, "refresh-" + UUID.randomUUID());
    UUID id = UUID.fromString(conn);

    Session s = open(m.key(), conn);
    assertEquals("upstream-oauth", s.initialize().at("/result/serverInfo/name").asText());
    assertEquals("echo: x", s.call(2, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}").at("/result/content/0/text").asText());
    String fresh = QuarkusTransaction.requiringNew().call(() -> credentials.tokens(id).orElseThrow().accessToken());
    assertNotEquals(stale, fresh, "the refreshed token is stored");
    assertTrue(peers.seen.stream().anyMatch(x -> ("Bearer " + stale).equals(x.authorization())), "the stale token was tried first");
    assertTrue(peers.seen.stream().anyMatch(x -> ("Bearer " + fresh).equals(x.authorization())));
    assertFalse(s.initialize().toString().contains(fresh));
  }

  @Test
  void aSessionBelongsToTheKeyThatOpenedIt() throws Exception {
    Fixtures.Team team = Fixtures.org(true).team();
    Member owner = team.member("member");
    String conn = connection(owner, "/open/mcp", Map.of());
    Session s = open(owner.key(), conn);
    String otherKey =
        Fixtures.admin()
            .body(Map.of("user_id", owner.userId(), "team_id", owner.teamId(), "name", "second"))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    // the same user with another key sees the connection, but not the session
    post(otherKey, conn, s.id(), request(2, "tools/list", "{}")).then().statusCode(404).body("error", equalTo("not_found"));
    given().header("Authorization", "Bearer " + otherKey).header("Mcp-Session-Id", s.id()).delete("/mcp/v1/connections/" + conn).then().statusCode(404);
    // a member who cannot see the connection gets 404 before any JSON-RPC
    Member stranger = team.member("member");
    post(stranger.key(), conn, null, initialize()).then().statusCode(404).body("error", equalTo("not_found"));
    // unknown session
    post(owner.key(), conn, "no-such-session", request(2, "tools/list", "{}")).then().statusCode(404);
    // the session is bound to its connection too
    String other = connection(owner, "/open/mcp", Map.of());
    post(owner.key(), other, s.id(), request(2, "tools/list", "{}")).then().statusCode(404);
    // and still works for its owner
    assertEquals(2, s.call(3, "tools/list", "{}").at("/result/tools").size());
    given().contentType(ContentType.JSON).header("Accept", ACCEPT).body(initialize().toString()).post("/mcp/v1/connections/" + conn).then().statusCode(401).body("error", equalTo("invalid_token"));
  }

  @Test
  void deleteEndsTheSessionHereAndUpstream() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    Session s = open(m.key(), conn);
    String upstream = upstreamSessionOf(s);
    assertNotNull(upstream);
    given().header("Authorization", "Bearer " + m.key()).header("Mcp-Session-Id", s.id()).delete("/mcp/v1/connections/" + conn).then().statusCode(204);
    Await.until("the upstream session is deleted", 10, () -> peers.seen.stream().anyMatch(x -> x.method().equals("DELETE") && upstream.equals(x.sessionId())));
    post(m.key(), conn, s.id(), request(2, "tools/list", "{}")).then().statusCode(404);
    assertEquals(0, db.count("SELECT count(*) FROM gateway_sessions WHERE id_hash = ?", (Object) sha256(s.id())));
  }

  @Test
  void theSessionIsItsDatabaseRowAlone() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    Session s = open(m.key(), conn);
    List<Object> row = db.query("SELECT api_key_id, connection_id, upstream_kind, upstream_session_id, protocol_version FROM gateway_sessions WHERE id_hash = ?", (Object) sha256(s.id())).get(0);
    // A session id this process never issued, whose row alone says where the upstream session is:
    // as if another replica had opened it.
    String foreign = "opened-by-another-replica-" + UUID.randomUUID();
    db.update(
        "INSERT INTO gateway_sessions (id_hash, api_key_id, connection_id, upstream_kind, upstream_session_id, protocol_version) VALUES (?, ?, ?, ?, ?, ?)",
        sha256(foreign), row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    peers.seen.clear();
    JsonNode echo = new Session(m.key(), conn, foreign, null).call(7, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"from the row\"}}");
    assertEquals("echo: from the row", echo.at("/result/content/0/text").asText());
    assertTrue(peers.seen.stream().allMatch(x -> row.get(3).equals(x.sessionId())), "reached the upstream session named in the row");
  }

  @Test
  void idleSessionsExpireAndMaintenanceEndsThemUpstream() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    Session s = open(m.key(), conn);
    String upstream = upstreamSessionOf(s);
    db.update("UPDATE gateway_sessions SET last_used_at = now() - interval '1 day' WHERE id_hash = ?", (Object) sha256(s.id()));
    post(m.key(), conn, s.id(), request(2, "tools/list", "{}")).then().statusCode(404);
    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200).body("tasks.find { it.task == 'gateway.purge-idle-sessions' }.error", equalTo(null));
    assertEquals(0, db.count("SELECT count(*) FROM gateway_sessions WHERE id_hash = ?", (Object) sha256(s.id())));
    Await.until("the upstream session is deleted", 10, () -> peers.seen.stream().anyMatch(x -> x.method().equals("DELETE") && upstream.equals(x.sessionId())));
  }

  @Test
  void aSessionInUseIsKeptAliveWithoutAWritePerMessage() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    Session s = open(m.key(), conn);
    Object id = sha256(s.id());
    // 30 s old: younger than the touch interval (1 min of the 30 min idle timeout), so it is not rewritten.
    db.update("UPDATE gateway_sessions SET last_used_at = now() - interval '30 seconds' WHERE id_hash = ?", id);
    post(m.key(), conn, s.id(), request(2, "tools/list", "{}")).then().statusCode(200);
    assertEquals(1, db.count("SELECT count(*) FROM gateway_sessions WHERE id_hash = ? AND last_used_at < now() - interval '29 seconds'", id));
    // 10 min old: still live, and now marked used again.
    db.update("UPDATE gateway_sessions SET last_used_at = now() - interval '10 minutes' WHERE id_hash = ?", id);
    post(m.key(), conn, s.id(), request(3, "tools/list", "{}")).then().statusCode(200);
    assertEquals(1, db.count("SELECT count(*) FROM gateway_sessions WHERE id_hash = ? AND last_used_at > now() - interval '1 minute'", id));
  }

  @Test
  void anUpstreamThatDiesOrStreamsJunkIsAJsonRpcError() throws Exception {
    Member m = Fixtures.newMember();
    for (String path : List.of("/dies", "/junk")) {
      String conn = connection(m, path, Map.of());
      Session s = open(m.key(), conn);
      Response r = post(m.key(), conn, s.id(), request(9, "tools/call", "{\"name\":\"x\",\"arguments\":{}}"));
      assertEquals(200, r.statusCode(), r.asString());
      if (path.equals("/dies")) {
        // The answer was already streaming when the upstream broke: it still ends with the request's answer.
        assertTrue(r.contentType().startsWith("text/event-stream"), path + ": " + r.contentType());
        assertTrue(r.asString().indexOf("notifications/progress") < r.asString().indexOf("\"error\""), "what came before the break is delivered: " + r.asString());
      }
      JsonNode error = answer(r);
      assertEquals(9, error.get("id").asInt(), path);
      assertEquals(-32000, error.at("/error/code").asInt(), path);
      assertTrue(error.at("/error/message").asText().startsWith("the connection's MCP server could not be used: "), error.toString());
    }
  }

  @Test
  void theTransportRulesAreKept() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of());
    given().header("Authorization", "Bearer " + m.key()).header("Accept", "application/json").contentType(ContentType.JSON)
        .body(initialize().toString()).post("/mcp/v1/connections/" + conn).then().statusCode(406);
    post(m.key(), conn, null, request(2, "tools/list", "{}")).then().statusCode(400).body("error.code", equalTo(-32001));
    post(m.key(), conn, null, "{not json").then().statusCode(400).body("error.code", equalTo(-32700));
    post(m.key(), conn, null, "[" + initialize() + "]").then().statusCode(400).body("error.code", equalTo(-32600));
    Session s = open(m.key(), conn);
    given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("Mcp-Session-Id", s.id()).header("MCP-Protocol-Version", "1999-01-01")
        .contentType(ContentType.JSON).body(request(2, "tools/list", "{}").toString()).post("/mcp/v1/connections/" + conn).then().statusCode(400);
    given().header("Authorization", "Bearer " + m.key()).header("Accept", "text/event-stream").get("/mcp/v1/connections/" + conn).then().statusCode(405);
  }

  static List<String> toolNames(JsonNode list) {
    List<String> names = new java.util.ArrayList<>();
    list.at("/result/tools").forEach(t -> names.add(t.get("name").asText()));
    return names;
  }

  @Test
  void theAllowlistDecidesWhatIsListedAndCalledAndEveryCallIsRecorded() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "/open/mcp", Map.of("allowed_tools", List.of("echo", "nope")));
    Session s = open(m.key(), conn);
    assertEquals(List.of("echo"), toolNames(s.call(2, "tools/list", "{}")), "only allowed tools are listed");

    peers.seen.clear();
    JsonNode refused = s.call(3, "tools/call", "{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}");
    assertEquals(3, refused.get("id").asInt());
    assertEquals(-32602, refused.at("/error/code").asInt());
    assertEquals("tool add is not allowed on this connection", refused.at("/error/message").asText());
    assertEquals(List.of(), List.copyOf(peers.seen), "a refused call never reaches the upstream");

    JsonNode echo = s.call(4, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"argument-text-4b1e\"}}");
    assertEquals("echo: argument-text-4b1e", echo.at("/result/content/0/text").asText());
    JsonNode unknown = s.call(5, "tools/call", "{\"name\":\"nope\",\"arguments\":{}}");
    assertTrue(unknown.has("error"), "allowed here, unknown upstream: the upstream's own error");

    Response activity = m.as().get("/v1/connections/" + conn + "/activity");
    assertEquals(200, activity.statusCode(), activity.asString());
    JsonNode items = JSON.readTree(activity.asString()).get("items");
    assertEquals(3, items.size(), items.toString());
    assertEquals(List.of("nope", "echo", "add"), List.of(items.get(0).get("tool").asText(), items.get(1).get("tool").asText(), items.get(2).get("tool").asText()));
    assertEquals(List.of("error", "ok", "refused"), List.of(items.get(0).get("outcome").asText(), items.get(1).get("outcome").asText(), items.get(2).get("outcome").asText()));
    assertEquals(200, items.get(1).get("upstream_status").asInt(), "the upstream's HTTP status");
    assertTrue(items.get(2).get("upstream_status").isNull(), "nothing was sent upstream");
    for (JsonNode item : items) {
      assertEquals("tools_call", item.get("kind").asText());
      assertEquals(m.userId(), item.get("user_id").asText());
    }
    assertFalse(activity.asString().contains("argument-text-4b1e"), "never arguments or results");
  }
}
