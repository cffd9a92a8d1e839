package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.PackagedApp;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replicas share nothing but PostgreSQL (issue 15, part 5): two instances of the packaged app on one
 * database serve one agent's session alternately, with no sticky routing, against an MCP Java SDK
 * upstream. Runs in {@code verify} after {@code package} (failsafe), on 127.0.0.1 only.
 */
class ReplicaIT extends TwoReplicas {

  @Test
  void oneAgentsSessionAlternatesBetweenTwoReplicas() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "replicated", "server_url", upstream.base() + "/open/mcp", "provider", "user", "auth_method", "url"));

    Response init =
        a.post(m.key(), conn, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"replica-agent\",\"version\":\"1\"}}}");
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    assertNotNull(session, "replica a opens the session");
    assertEquals("upstream-open", GatewayTest.answer(init).at("/result/serverInfo/name").asText());
    assertEquals(202, b.post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());

    Response list = b.post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
    assertEquals(200, list.statusCode(), list.asString());
    JsonNode tools = GatewayTest.answer(list).at("/result/tools");
    assertEquals(List.of("add", "echo"), names(tools), "replica b lists the tools in a's session");

    Response call = a.post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"across replicas\"}}}");
    assertEquals(200, call.statusCode(), call.asString());
    assertEquals("echo: across replicas", GatewayTest.answer(call).at("/result/content/0/text").asText());

    Member other = Fixtures.newMember();
    assertEquals(404, b.post(other.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}").statusCode(), "another key's request is refused on b too");

    // Every message reached one upstream session, whichever replica forwarded it.
    List<String> upstreamSessions = upstream.seen.stream().filter(s -> s.path().equals("/open/mcp") && s.sessionId() != null).map(GatewayPeers.Seen::sessionId).distinct().toList();
    assertEquals(1, upstreamSessions.size(), "one upstream session: " + upstreamSessions);

    assertEquals(204, b.delete(m.key(), conn, session).statusCode(), "replica b ends the session");
    Response after = a.post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}");
    assertEquals(404, after.statusCode(), "the session ended on b is over on a: " + after.asString());
    Await.until("the upstream session is deleted", 10, () -> upstream.seen.stream().anyMatch(s -> s.method().equals("DELETE") && upstreamSessions.get(0).equals(s.sessionId())));
    assertTrue(a.process.isAlive() && b.process.isAlive(), "both replicas served to the end");
  }

  static List<String> names(JsonNode tools) {
    List<String> names = new ArrayList<>();
    tools.forEach(t -> names.add(t.get("name").asText()));
    names.sort(null);
    return names;
  }

  /** One instance of the packaged app, with the gateway calls this test makes. */
  static final class Replica {
    final PackagedApp app;
    final Process process;

    private Replica(PackagedApp app) {
      this.app = app;
      this.process = app.process;
    }

    static Replica start(String name, Map<String, String> config) throws IOException {
      return new Replica(PackagedApp.start(name, config));
    }

    int port() {
      return app.port;
    }

    Response post(String key, String connectionId, String session, String message) {
      var req = given().baseUri("http://127.0.0.1").port(app.port).header("Authorization", "Bearer " + key).header("Accept", GatewayTest.ACCEPT).contentType(ContentType.JSON);
      if (session != null) {
        req = req.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
      }
      return req.body(message).post("/mcp/v1/connections/" + connectionId);
    }

    Response delete(String key, String connectionId, String session) {
      return given().baseUri("http://127.0.0.1").port(app.port).header("Authorization", "Bearer " + key).header("Mcp-Session-Id", session).delete("/mcp/v1/connections/" + connectionId);
    }

    void stop() throws InterruptedException {
      app.stop();
    }
  }
}
