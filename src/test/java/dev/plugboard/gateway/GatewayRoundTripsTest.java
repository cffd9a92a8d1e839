package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plugboard.credential.CredentialService;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: in the steady state a forwarded tools/call costs one database statement (its activity
 * row) and a message that records nothing costs none; the connection and the session come from the
 * replica's caches. Counted by PostgreSQL itself (pg_stat_statements) over the tables the gateway
 * touches; before the caches the same call cost three (the connection read, the session read and
 * touch, the activity INSERT).
 */
@QuarkusTest
class GatewayRoundTripsTest extends WithPeers {

  private static final String GATEWAY_TABLES =
      "(query ILIKE '%connections%' OR query ILIKE '%gateway_sessions%' OR query ILIKE '%connection_activity%'"
          + " OR query ILIKE '%connection_headers%' OR query ILIKE '%oauth_tokens%')";

  @Inject Db db;
  @Inject CredentialService credentials;

  @BeforeEach
  void enable() {
    db.update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  @Test
  void aForwardedCallIsOneStatementAndANotificationNone() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "counted", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    Response init = GatewayTest.post(m.key(), conn, null, GatewayTest.initialize());
    GatewayTest.Session s = new GatewayTest.Session(m.key(), conn, init.header("Mcp-Session-Id"), null);

    db.query("SELECT pg_stat_statements_reset()");
    assertEquals(202, GatewayTest.post(m.key(), conn, s.id(), GatewayTest.INITIALIZED).statusCode());
    assertEquals(List.of(), statements(), "the session this replica has just opened is not read back");
    String call = "{\"name\":\"echo\",\"arguments\":{\"text\":\"counted\"}}";

    db.query("SELECT pg_stat_statements_reset()");
    double onLoop = LoopCallsTest.loopCalls("answered");
    assertEquals("echo: counted", s.call(3, "tools/call", call).at("/result/content/0/text").asText());
    assertEquals(List.of("INSERT INTO connection_activity"), statements(), "a forwarded tools/call: its activity row alone");
    assertEquals(onLoop + 1, LoopCallsTest.loopCalls("answered"), "served on the event loop (LoopCalls)");

    db.query("SELECT pg_stat_statements_reset()");
    assertEquals(202, GatewayTest.post(m.key(), conn, s.id(), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}").statusCode());
    assertEquals(2, s.call(4, "tools/list", "{}").at("/result/tools").size());
    assertEquals(List.of(), statements(), "a notification and a tools/list record nothing and read nothing");
  }

  @Test
  void anOAuthConnectionsCallIsOneStatementToo() throws Exception {
    Member m = Fixtures.newMember();
    // a token the server refuses: the first call refreshes it (GatewayTest), the next ones use the new one
    String conn = GatewayTest.oauthConnection(m, peers, db, credentials, "stale-" + UUID.randomUUID(), "refresh-" + UUID.randomUUID());
    GatewayTest.Session s = GatewayTest.open(m.key(), conn);
    String call = "{\"name\":\"echo\",\"arguments\":{\"text\":\"counted\"}}";
    assertEquals("echo: counted", s.call(2, "tools/call", call).at("/result/content/0/text").asText());

    db.query("SELECT pg_stat_statements_reset()");
    assertEquals("echo: counted", s.call(3, "tools/call", call).at("/result/content/0/text").asText());
    assertEquals(List.of("INSERT INTO connection_activity"), statements(), "the token row comes from the cache too");
    db.query("SELECT pg_stat_statements_reset()");
    assertEquals(2, s.call(4, "tools/list", "{}").at("/result/tools").size());
    assertEquals(List.of(), statements(), "a tools/list on an OAuth connection reads nothing");
  }

  @Test
  void aCallThroughTheAggregateEndpointIsOneStatementToo() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "aggregated", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    String slug = m.as().get("/v1/connections/" + conn).then().statusCode(200).extract().path("slug");
    Response init = aggregate(m, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"counter\",\"version\":\"1\"}}}");
    String session = init.header("Mcp-Session-Id");
    assertEquals(202, aggregate(m, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());
    aggregate(m, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").then().statusCode(200);
    String call = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"" + slug + "__echo\",\"arguments\":{\"text\":\"counted\"}}}";
    aggregate(m, session, call).then().statusCode(200); // the session row, changed by the listing, is read into the cache again

    db.query("SELECT pg_stat_statements_reset()");
    String answer = aggregate(m, session, call).then().statusCode(200).extract().asString();
    assertEquals(true, answer.contains("echo: counted"), answer);
    assertEquals(List.of("INSERT INTO connection_activity"), statements(), "a forwarded tools/call on /mcp/v1: its activity row alone");
  }

  private static Response aggregate(Member m, String session, String message) {
    var r = given().header("Authorization", "Bearer " + m.key()).header("Accept", GatewayTest.ACCEPT).contentType(ContentType.JSON);
    if (session != null) {
      r = r.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
    }
    return r.body(message).post("/mcp/v1");
  }

  /** The gateway's statements since the reset, one entry per execution, by their first words. */
  private List<String> statements() {
    return db.query(
            "SELECT query, calls FROM pg_stat_statements WHERE " + GATEWAY_TABLES + " AND query NOT ILIKE '%pg_stat_statements%'")
        .stream()
        .flatMap(r -> java.util.Collections.nCopies(((Number) r.get(1)).intValue(), head((String) r.get(0))).stream())
        .toList();
  }

  private static String head(String query) {
    String[] words = query.trim().split("\\s+");
    return String.join(" ", List.of(words).subList(0, Math.min(3, words.length)));
  }
}
