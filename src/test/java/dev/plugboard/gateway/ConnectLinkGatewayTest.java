package dev.plugboard.gateway;

import static dev.plugboard.gateway.GatewayTest.INITIALIZED;
import static dev.plugboard.gateway.GatewayTest.answer;
import static dev.plugboard.gateway.GatewayTest.request;
import static dev.plugboard.gateway.GatewayTest.toolNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §13 "In the gateway": a tool call on a connection that needs a person answers with a connect
 * link (JSON-RPC -32042 for agents that declared URL elicitation, an isError tool result for others),
 * the same pending link is reused, and after the person has finished on the hosted page the retried
 * call works in the same session; on both gateway endpoints, against MCP Java SDK servers.
 */
@QuarkusTest
class ConnectLinkGatewayTest extends WithPeers {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ELICITING = "{\"elicitation\":{\"url\":{}}}";
  static final String ECHO = "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}";

  @Inject Db db;
  @Inject CredentialService credentials;

  // ---- helpers ----------------------------------------------------------------------------------

  /** An agent's session on {@code path} (a connection's endpoint, or /mcp/v1), declaring {@code capabilities}. */
  record Agent(String key, String path, String session, JsonNode initialize) {
    JsonNode call(int id, String method, String params) throws Exception {
      Response r = send(key, path, session, request(id, method, params));
      assertEquals(200, r.statusCode(), r.asString());
      return answer(r);
    }

    JsonNode tool(int id, String name, String arguments) throws Exception {
      return call(id, "tools/call", "{\"name\":\"" + name + "\",\"arguments\":" + arguments + "}");
    }
  }

  static Response send(String key, String path, String session, Object message) {
    var r = io.restassured.RestAssured.given().header("Authorization", "Bearer " + key).header("Accept", GatewayTest.ACCEPT).contentType("application/json");
    if (session != null) {
      r = r.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return r.body(message.toString()).post(path);
  }

  static Agent open(String key, String path, String capabilities) throws Exception {
    Response init =
        send(key, path, null, request(1, "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":" + capabilities + ",\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"));
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    assertNotNull(session, "initialize issues a session: " + init.asString());
    assertEquals(202, send(key, path, session, INITIALIZED).statusCode());
    return new Agent(key, path, session, answer(init));
  }

  static String endpoint(String connectionId) {
    return "/mcp/v1/connections/" + connectionId;
  }

  static String connection(Member m, String name, String path, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(Map.of("name", name, "server_url", peers.base() + path, "provider", "user", "auth_method", "url"));
    body.putAll(extra);
    return Fixtures.create(m, body);
  }

  static Map<String, Object> secret(String value) {
    return Map.of("auth_method", "apikey", "headers", Map.of("secret", Map.of("X-Secret", value)));
  }

  /** The elicitation of a -32042 answer, checked against the spec's shape. */
  static JsonNode elicitation(JsonNode answer, int id) {
    assertEquals(id, answer.get("id").asInt(), answer.toString());
    assertEquals(-32042, answer.at("/error/code").asInt(), answer.toString());
    JsonNode list = answer.at("/error/data/elicitations");
    assertEquals(1, list.size(), answer.toString());
    JsonNode e = list.get(0);
    assertEquals("url", e.get("mode").asText());
    assertTrue(e.get("url").asText().matches("https?://[^/]+/connect/[A-Za-z0-9_-]{43,}"), e.toString());
    assertFalse(e.get("message").asText().isBlank());
    return e;
  }

  /** The text of an isError tool result holding a link. */
  static String linkText(JsonNode answer, int id) {
    assertEquals(id, answer.get("id").asInt(), answer.toString());
    assertTrue(answer.at("/result/isError").asBoolean(), answer.toString());
    assertEquals(1, answer.at("/result/content").size());
    String text = answer.at("/result/content/0/text").asText();
    assertTrue(text.contains("retry after authorizing"), text);
    return text;
  }

  static JsonNode link(Member m, String id) throws Exception {
    Response r = m.as().get("/v1/connect/links/" + id);
    assertEquals(200, r.statusCode(), r.asString());
    return JSON.readTree(r.asString());
  }

  void oauth(String connectionId, String accessToken, String tokenEndpoint) {
    UUID id = UUID.fromString(connectionId);
    db.update("UPDATE connections SET auth_method = 'oauth' WHERE id = ?", id);
    QuarkusTransaction.requiringNew()
        .run(() -> credentials.saveTokens(id, new Tokens(accessToken, "refresh-" + UUID.randomUUID(), "Bearer", Instant.now().plus(1, ChronoUnit.HOURS), List.of("openid"), tokenEndpoint, null, "gateway-test", null, null)));
  }

  // ---- tests ------------------------------------------------------------------------------------

  @Test
  void aSecretTheServerRefusesBringsALinkAndAfterThePersonTypesItTheSameSessionsWork() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "Vault", "/hdr/mcp", secret("an-old-secret-8c1d"));
    // initialize is refused upstream (401): Plugboard answers it, so the agent has a session to be told in
    Agent eliciting = open(m.key(), endpoint(conn), ELICITING);
    assertEquals("plugboard", eliciting.initialize().at("/result/serverInfo/name").asText());
    Agent plain = open(m.key(), endpoint(conn), "{}");
    Agent aggregate = open(m.key(), "/mcp/v1", ELICITING);

    JsonNode e = elicitation(eliciting.call(2, "tools/call", ECHO), 2);
    JsonNode l = link(m, e.get("elicitationId").asText());
    assertEquals("pending", l.get("status").asText());
    assertEquals("reconnect", l.get("kind").asText());
    assertEquals(conn, l.get("connection_id").asText());
    assertEquals(e.get("url").asText(), l.get("url").asText());

    String text = linkText(plain.call(3, "tools/call", ECHO), 3);
    assertTrue(text.contains(e.get("url").asText()), "the same pending link is reused: " + text);
    assertTrue(text.contains(l.get("expires_at").asText().replaceAll("\\.\\d+Z$", "")), "names the expiry: " + text);
    assertEquals(e.get("elicitationId").asText(), elicitation(aggregate.tool(4, "vault__echo", "{\"text\":\"hi\"}"), 4).get("elicitationId").asText(), "and on /mcp/v1");

    PersonAtPage.Visit visit = PersonAtPage.complete(e.get("url").asText(), Map.of("X-Secret", GatewayPeers.SECRET));
    assertEquals(200, visit.statuses().get(0), visit.toString());
    assertEquals("completed", link(m, l.get("id").asText()).get("status").asText(), visit.toString());

    assertEquals("echo: hi", eliciting.call(5, "tools/call", ECHO).at("/result/content/0/text").asText(), "the retry in the same session works");
    assertEquals("echo: hi", plain.call(6, "tools/call", ECHO).at("/result/content/0/text").asText());
    assertEquals("echo: hi", aggregate.tool(7, "vault__echo", "{\"text\":\"hi\"}").at("/result/content/0/text").asText());
    assertEquals(2, eliciting.call(8, "tools/list", "{}").at("/result/tools").size(), "the upstream session opened late serves everything");
    m.as().get("/v1/connections/" + conn).then().statusCode(200).body("slug", org.hamcrest.Matchers.equalTo("vault"));
    JsonNode activity = JSON.readTree(m.as().get("/v1/connections/" + conn + "/activity").asString()).get("items");
    assertEquals("ok", activity.get(0).get("outcome").asText());
    assertEquals("error", activity.get(activity.size() - 1).get("outcome").asText(), "the calls that needed a person are recorded as errors");
  }

  @Test
  void aBrokenOAuthConnectionIsAnsweredWithoutAskingItsServer() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "Tracker", "/oauth/mcp", Map.of());
    oauth(conn, "stale-" + UUID.randomUUID(), peers.tokenEndpoint());
    Agent before = open(m.key(), endpoint(conn), ELICITING); // a session from before it broke
    db.update("UPDATE connections SET broken_at = now(), broken_reason = 'refresh_failed: invalid_grant' WHERE id = ?", UUID.fromString(conn));

    peers.seen.clear();
    JsonNode e = elicitation(before.call(2, "tools/call", ECHO), 2);
    assertEquals(List.of(), List.copyOf(peers.seen), "a broken connection's server is not asked");
    Agent plain = open(m.key(), endpoint(conn), "{}");
    assertTrue(linkText(plain.call(2, "tools/call", ECHO), 2).contains(e.get("url").asText()));
    JsonNode list = plain.call(3, "tools/list", "{}");
    assertEquals(-32000, list.at("/error/code").asInt(), "a request other than a tool call: a JSON-RPC error holding the link");
    assertTrue(list.at("/error/message").asText().contains(e.get("url").asText()), list.toString());
    assertEquals(List.of(), List.copyOf(peers.seen));

    // An OAuth connection without tokens needs a person in the same way.
    String tokenless = connection(m, "Tokenless", "/oauth/mcp", Map.of());
    db.update("UPDATE connections SET auth_method = 'oauth' WHERE id = ?", UUID.fromString(tokenless));
    Agent fresh = open(m.key(), endpoint(tokenless), ELICITING);
    JsonNode other = elicitation(fresh.call(2, "tools/call", ECHO), 2);
    assertFalse(other.get("url").asText().equals(e.get("url").asText()), "one link per connection");
    assertEquals(tokenless, link(m, other.get("elicitationId").asText()).get("connection_id").asText());
  }

  @Test
  void aRefreshEndingInInvalidGrantBreaksTheConnectionAndAnswersWithALink() throws Exception {
    Member m = Fixtures.newMember();
    String conn = connection(m, "Revoked", "/oauth/mcp", Map.of());
    oauth(conn, "stale-" + UUID.randomUUID(), peers.revokedTokenEndpoint());
    Agent a = open(m.key(), endpoint(conn), "{}"); // the server refuses the token: a session of Plugboard's own
    String text = linkText(a.call(2, "tools/call", ECHO), 2);
    assertTrue(text.contains("/connect/"), text);
    m.as().get("/v1/connections/" + conn).then().statusCode(200).body("broken_reason", org.hamcrest.Matchers.equalTo("refresh_failed: invalid_grant"));
  }

  @Test
  void aMemberWhoMayNotChangeASharedConnectionIsToldWhoMay() throws Exception {
    Fixtures.Team team = Fixtures.org(true).team();
    Member creator = team.member("member");
    String conn = connection(creator, "Shared Vault", "/hdr/mcp", secret("stale-secret-11aa"));
    creator.as().body(Map.of("shared", true)).patch("/v1/connections/" + conn).then().statusCode(200);
    Member colleague = team.member("member");
    Agent a = open(colleague.key(), endpoint(conn), ELICITING);
    JsonNode answer = a.call(2, "tools/call", ECHO);
    assertTrue(answer.at("/result/isError").asBoolean(), "no link to offer, whatever the agent declared: " + answer);
    String text = answer.at("/result/content/0/text").asText();
    String email = (String) db.query("SELECT email FROM users WHERE id = ?", UUID.fromString(creator.userId())).get(0).get(0);
    assertTrue(text.contains("only its creator, user <" + email + ">, or an admin of the team"), text);
    assertFalse(text.contains("/connect/"), text);
    assertEquals(0, JSON.readTree(colleague.as().get("/v1/connect/links").asString()).get("total").asInt(), "no link was made");
    // the creator gets a link
    elicitation(open(creator.key(), endpoint(conn), ELICITING).call(2, "tools/call", ECHO), 2);
  }

  @Test
  void theAggregateRoutesABrokenConnectionsToolsAndOffersPlugboardConnect() throws Exception {
    Member m = Fixtures.newMember();
    String words = connection(m, "Words", "/words/mcp", Map.of());
    String tracker = connection(m, "Tracker", "/oauth/mcp", Map.of());
    oauth(tracker, "stale-" + UUID.randomUUID(), peers.tokenEndpoint());
    db.update("UPDATE connections SET broken_at = now(), broken_reason = 'refresh_failed: invalid_grant' WHERE id = ?", UUID.fromString(tracker));
    Agent a = open(m.key(), "/mcp/v1", ELICITING);

    peers.seen.clear();
    JsonNode list = a.call(2, "tools/list", "{}");
    List<String> names = toolNames(list);
    assertTrue(names.contains("words__lookup") && names.contains(PersonNeeded.CONNECT_TOOL), names.toString());
    assertFalse(names.stream().anyMatch(n -> n.startsWith("tracker__")), "a broken connection's tools cannot be listed");
    assertTrue(peers.seen.stream().noneMatch(s -> s.path().startsWith("/oauth/")), "nor is its server asked");
    JsonNode connect = null;
    for (JsonNode t : list.at("/result/tools")) {
      if (t.get("name").asText().equals(PersonNeeded.CONNECT_TOOL)) {
        connect = t;
      }
    }
    assertTrue(connect.get("description").asText().contains("need a person now: tracker."), connect.toString());
    assertEquals("object", connect.at("/inputSchema/type").asText());

    JsonNode e = elicitation(a.tool(3, "tracker__echo", "{\"text\":\"hi\"}"), 3);
    assertEquals(tracker, link(m, e.get("elicitationId").asText()).get("connection_id").asText());
    JsonNode again = elicitation(a.tool(4, PersonNeeded.CONNECT_TOOL, "{\"connection\":\"tracker\"}"), 4);
    assertEquals(e.get("elicitationId").asText(), again.get("elicitationId").asText(), "plugboard__connect reuses the pending link");

    JsonNode mcp = elicitation(a.tool(5, PersonNeeded.CONNECT_TOOL, "{\"mcp_server_url\":\"" + peers.base() + "/oauth/mcp\",\"name\":\"Second Tracker\"}"), 5);
    JsonNode made = link(m, mcp.get("elicitationId").asText());
    assertEquals("mcp_oauth", made.get("kind").asText());
    assertEquals("Second Tracker", made.get("name").asText());

    Agent plain = open(m.key(), "/mcp/v1", "{}");
    assertTrue(linkText(plain.tool(2, "tracker__echo", "{\"text\":\"hi\"}"), 2).contains(e.get("url").asText()));
    String bad = plain.tool(3, PersonNeeded.CONNECT_TOOL, "{}").at("/result/content/0/text").asText();
    assertTrue(bad.startsWith("Give exactly one of"), bad);
    JsonNode unknownProvider = plain.tool(4, PersonNeeded.CONNECT_TOOL, "{\"provider\":\"nosuchprovider\"}");
    assertTrue(unknownProvider.at("/result/isError").asBoolean());
    assertTrue(unknownProvider.at("/result/content/0/text").asText().startsWith("No link could be made: "), unknownProvider.toString());
    JsonNode noSlug = plain.tool(5, PersonNeeded.CONNECT_TOOL, "{\"connection\":\"nothing_here\"}");
    assertEquals("No connection here is named nothing_here.", noSlug.at("/result/content/0/text").asText());
    assertEquals("found fox in words", a.tool(6, "words__lookup", "{\"word\":\"fox\"}").at("/result/content/0/text").asText(), "healthy connections are untouched: " + words);
  }
}
