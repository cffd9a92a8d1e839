package dev.plugboard.mcp;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.mcp.McpPeers.Seen;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Listed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.mcp.ToolListing.Transport;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
class McpProbeTest {

  static McpPeers peers;
  static Member member;

  @Inject McpClient client;

  @BeforeAll
  static void start() throws Exception {
    peers = new McpPeers();
  }

  @AfterAll
  static void stop() throws Exception {
    peers.close();
  }

  private static Member member() {
    if (member == null) {
      member = Fixtures.newMember();
    }
    return member;
  }

  private static ValidatableResponse probe(String url, Map<String, String> headers) {
    Map<String, Object> body = new HashMap<>();
    body.put("server_url", url);
    if (headers != null) {
      body.put("headers", headers);
    }
    return member().as().body(body).post("/v1/connections/mcp/probe").then().log().ifValidationFails();
  }

  private static ValidatableResponse probe(String path) {
    return probe(peers.base() + path, null);
  }

  private static void awaitSeen(Predicate<Seen> what) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (peers.seen.stream().anyMatch(what)) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(25_000_000);
    }
    throw new AssertionError("expected request not seen; saw " + peers.seen);
  }

  @Test
  void streamableHttpServerWithSseAnswersListsItsToolsAndEndsTheSession() throws Exception {
    probe("/mcp")
        .statusCode(200)
        .body("success", equalTo(true))
        .body("error", nullValue())
        .body("tools.name", contains("echo", "add"))
        .body("tools[0].description", equalTo("Echo the text back"))
        .body("tools[0].input_schema.type", equalTo("object"))
        .body("tools[0].input_schema.properties.text.minLength", equalTo(1))
        .body("tools[0].input_schema.required", contains("text"))
        .body("tools[0]", not(hasKey("inputSchema")));
    awaitSeen(s -> s.method().equals("DELETE") && s.path().equals("/mcp") && s.sessionId() != null);
  }

  @Test
  void statelessServerAnsweringJson() {
    probe("/stateless").statusCode(200).body("success", equalTo(true)).body("tools.name", contains("lookup"));
    ToolListing listing = client.listTools(peers.base() + "/stateless", Map.of());
    Listed listed = assertInstanceOf(Listed.class, listing);
    assertEquals(Transport.STREAMABLE_HTTP, listed.transport());
  }

  @Test
  void legacySseServerIsReachedByFallback() {
    probe("/sse").statusCode(200).body("success", equalTo(true)).body("tools.name", contains("echo"));
    Listed listed = assertInstanceOf(Listed.class, client.listTools(peers.base() + "/sse", Map.of()));
    assertEquals(Transport.SSE, listed.transport());
    assertEquals("2024-11-05", listed.protocolVersion());
  }

  @Test
  void bearerProtectedServer() {
    String url = peers.base() + "/secure/mcp";
    probe(url, null).statusCode(200).body("success", equalTo(false)).body("error", equalTo("server requires authentication (401)")).body("tools", nullValue());
    probe(url, Map.of("Authorization", "Bearer wrong-token-value"))
        .statusCode(200)
        .body("success", equalTo(false))
        .body("error", equalTo("server refused the credentials (401)"));

    peers.seen.clear();
    probe(url, Map.of("Authorization", "Bearer " + McpPeers.TOKEN, "X-Extra", "yes"))
        .statusCode(200)
        .body("success", equalTo(true))
        .body("tools.name", contains("echo"));
    List<Seen> secure = peers.seen.stream().filter(s -> s.path().startsWith("/secure")).toList();
    assertTrue(secure.size() >= 3, "initialize, initialized, tools/list: " + secure);
    assertTrue(secure.stream().allMatch(s -> ("Bearer " + McpPeers.TOKEN).equals(s.authorization())), "token on every request");

    // The OAuth engine reuses the client and needs the challenge.
    Failed failed = assertInstanceOf(Failed.class, client.listTools(url, Map.of()));
    assertEquals(Reason.UNAUTHORIZED, failed.reason());
    assertEquals(401, failed.httpStatus());
    assertEquals("Bearer resource_metadata=\"" + peers.base() + "/.well-known/oauth-protected-resource/secure/mcp\"", failed.wwwAuthenticate());
  }

  @Test
  void pagedListingWithServerMessagesBeforeTheAnswer() throws Exception {
    probe("/paged").statusCode(200).body("success", equalTo(true)).body("tools.name", contains("alpha", "beta", "gamma", "delta", "epsilon"));
    assertTrue(peers.pingReplies.stream().anyMatch(r -> r.contains("\"srv-1\"") && r.contains("\"result\"")), "the ping was answered");
    awaitSeen(s -> s.method().equals("DELETE") && s.path().equals("/paged"));
  }

  @Test
  void streamClosedEarlyIsResumedWithLastEventId() {
    probe("/resume").statusCode(200).body("success", equalTo(true)).body("tools.name", contains("resumed"));
  }

  @Test
  void revision20260728WithoutHandshake() {
    probe("/modern").statusCode(200).body("success", equalTo(true)).body("tools.name", contains("forecast", "alerts"));
    Listed listed = assertInstanceOf(Listed.class, client.listTools(peers.base() + "/modern", Map.of()));
    assertEquals("2026-07-28", listed.protocolVersion());
  }

  @Test
  void brokenServersFailClearly() {
    probe("/edge/html").statusCode(200).body("success", equalTo(false)).body("error", equalTo("not an MCP endpoint: got text/html"));
    probe("/edge/big").statusCode(200).body("success", equalTo(false)).body("error", startsWith("the server's answer is too large"));
    probe("/edge/bad-json").statusCode(200).body("success", equalTo(false)).body("error", equalTo("bad JSON-RPC: the answer to initialize is not valid JSON"));
    probe("/edge/status-500").statusCode(200).body("success", equalTo(false)).body("error", equalTo("the server answered HTTP 500 to initialize"));
    probe("/edge/no-name").statusCode(200).body("success", equalTo(false)).body("error", equalTo("bad JSON-RPC: tools/list lists a tool without a name"));
    probe("/edge/cursor-loop").statusCode(200).body("success", equalTo(false)).body("error", equalTo("tools/list repeated a cursor"));
    probe("/edge/nothing-here")
        .statusCode(200)
        .body("success", equalTo(false))
        .body("error", equalTo("not an MCP endpoint: POST got HTTP 404, GET got HTTP 404"));
  }

  @Test
  void unreachableServer() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    probe("http://127.0.0.1:" + closed + "/mcp", null)
        .statusCode(200)
        .body("success", equalTo(false))
        .body("error", startsWith("could not reach the server"));
  }

  @Test
  void slowAndEndlessServersEndAtTheDeadline() {
    Failed slow = assertInstanceOf(Failed.class, client.listTools(peers.base() + "/edge/slow", Map.of(), Deadline.after(Duration.ofSeconds(1))));
    assertEquals(Reason.TIMEOUT, slow.reason());
    Failed endless = assertInstanceOf(Failed.class, client.listTools(peers.base() + "/edge/endless", Map.of(), Deadline.after(Duration.ofSeconds(1))));
    assertEquals(Reason.TIMEOUT, endless.reason());
    assertTrue(endless.message().startsWith("the server did not answer in time"), endless.message());
  }

  @Test
  void headerValuesNeverComeBackInErrors() {
    Failed failed = assertInstanceOf(Failed.class, client.listTools(peers.base() + "/secure/mcp", Map.of("Authorization", "Bearer not-the-token")));
    assertTrue(!failed.message().contains("not-the-token"));
  }

  @Test
  void badRequestsAreRefused() {
    member().as().body("{}").post("/v1/connections/mcp/probe").then().statusCode(400).body("error", equalTo("validation_failed")).body("message", containsString("server_url"));
    probe("not a url", null).statusCode(400).body("error", equalTo("validation_failed"));
    probe("ftp://127.0.0.1/mcp", null).statusCode(400).body("error", equalTo("validation_failed"));
    probe(peers.base() + "/mcp", Map.of("Bad Header", "x")).statusCode(400).body("error", equalTo("validation_failed")).body("message", containsString("headers"));
    probe(peers.base() + "/mcp", Map.of("X-Evil", "a\r\nInjected: yes")).statusCode(400).body("error", equalTo("validation_failed"));
    member()
        .as()
        .body(Map.of("server_url", peers.base() + "/mcp", "headers", Map.of("X-Number", 1)))
        .post("/v1/connections/mcp/probe")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_request"))
        .body("message", containsString("headers.X-Number"));
    member().as().body("[1]").post("/v1/connections/mcp/probe").then().statusCode(400);
    RestAssured.given().contentType(ContentType.JSON).body(Map.of("server_url", peers.base() + "/mcp")).post("/v1/connections/mcp/probe").then().statusCode(401).body("error", equalTo("invalid_token"));
  }

  @Test
  void probeWritesNothingAndConnectionsDefaultToHttp() {
    Member m = Fixtures.newMember();
    m.as().body(Map.of("server_url", peers.base() + "/mcp")).post("/v1/connections/mcp/probe").then().statusCode(200).body("success", equalTo(true));
    m.as().get("/v1/connections").then().statusCode(200).body("total", equalTo(0));
    m.as()
        .body(Map.of("name", "peer", "server_url", peers.base() + "/mcp", "provider", "user", "auth_method", "url"))
        .post("/v1/connections")
        .then()
        .statusCode(201)
        .body("transport_type", equalTo("http"));
  }

  @Test
  void openApiDescribesTheProbe() {
    RestAssured.given().get("/q/openapi?format=json").then().statusCode(200).body("paths", hasKey("/v1/connections/mcp/probe"));
  }
}
