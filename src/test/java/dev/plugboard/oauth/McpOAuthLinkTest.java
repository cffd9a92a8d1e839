package dev.plugboard.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An {@code mcp_oauth} connect link end to end against the OAuth-protected MCP servers of {@link
 * OAuthPeers} (discovery, dynamic registration, PKCE, resource): here because those peers live here.
 */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class McpOAuthLinkTest {

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"");

  /** Continue on the page, as a browser without JavaScript sends it (cookie + anti-forgery field). */
  private static Response pressContinue(String path, Response page) {
    Matcher csrf = CSRF.matcher(page.asString());
    assertTrue(csrf.find(), "the page carries an anti-forgery field");
    return given().redirects().follow(false).cookie("pb_connect_csrf", page.getCookie("pb_connect_csrf"))
        .contentType("application/x-www-form-urlencoded").formParam("action", "continue").formParam("csrf", csrf.group(1))
        .post(path);
  }

  @Test
  void anMcpOAuthLinkCreatesAWorkingConnection() throws Exception {
    Member m = Fixtures.newMember();
    String server = McpOAuthFlowTest.mcp("dcr");
    Map<String, Object> link =
        m.as().body(Map.of("mcp_server_url", server, "name", "Docs server", "return_url", "http://app.localhost/x"))
            .post("/v1/connect/links").then().statusCode(201).body("kind", equalTo("mcp_oauth")).extract().jsonPath().getMap("");
    String path = URI.create((String) link.get("url")).getPath();
    Response page = given().get(path);
    assertEquals(200, page.statusCode());
    assertTrue(page.asString().contains(URI.create(OAuthPeers.asBase).getAuthority()), "names the authorization server's host and port");
    Response cont = pressContinue(path, page);
    assertEquals(303, cont.statusCode(), cont.asString());
    Map<String, String> auth = Browser.query(cont.header("Location"));
    assertEquals(server, auth.get("resource"));
    assertEquals("S256", auth.get("code_challenge_method"));

    Response back = Browser.roundTrip(cont.header("Location"));
    assertEquals(302, back.statusCode(), back.asString());
    Map<String, String> q = Browser.query(back.header("Location"));
    assertEquals("completed", q.get("status"));
    String id = q.get("connection_id");
    m.as().get("/v1/connections/" + id).then().statusCode(200)
        .body("auth_method", equalTo("oauth")).body("type", equalTo("custom_mcp")).body("server_url", equalTo(server));
    Map<String, Object> headers = NativeOAuthFlowTest.resolve(id);
    assertEquals(200, McpOAuthFlowTest.initializeWith(server, headers.get("Authorization").toString()));
  }

  /**
   * Step-up (MCP authorization spec): a tool call the server refuses with 403 insufficient_scope
   * answers with a reconnect link whose flow asks for the granted scopes plus the one asked for; the
   * connection keeps working for other tools; after the person consents the retry succeeds. A plain
   * 403, and an insufficient_scope for a scope already granted, answer the upstream error as before.
   */
  @Test
  void aToolCallRefusedForScopeAnswersAStepUpLinkAndTheRetrySucceeds() throws Exception {
    Member m = Fixtures.newMember();
    String url = McpOAuthFlowTest.start(m, Map.of("mcp_server_url", McpOAuthFlowTest.mcp("stepup"), "name", "Writer", "return_url", "http://app.localhost/x"))
        .then().statusCode(200).extract().path("authorization_url");
    String id = Browser.query(Browser.roundTrip(url).header("Location")).get("connection_id");
    List<String> granted = m.as().get("/v1/connections/" + id).then().statusCode(200).extract().path("oauth_scopes");
    assertTrue(granted.contains("mcp:read") && !granted.contains(StepUpGate.WRITE_SCOPE), granted.toString());

    String endpoint = "/mcp/v1/connections/" + id;
    String session = open(m, endpoint, "{\"elicitation\":{\"url\":{}}}");
    String aggregate = open(m, "/mcp/v1", "{}");
    assertEquals("whoami: ok", call(m, endpoint, session, 2, "whoami").at("/result/content/0/text").asText(), "the token works for other tools");

    JsonNode refused = call(m, endpoint, session, 3, "write");
    assertEquals(-32042, refused.at("/error/code").asInt(), refused.toString());
    String link = refused.at("/error/data/elicitations/0/url").asText();
    assertTrue(refused.at("/error/message").asText().contains("mcp:write"), refused.toString());
    JsonNode asText = call(m, "/mcp/v1", aggregate, 4, "writer__write");
    assertTrue(asText.at("/result/isError").asBoolean() && asText.at("/result/content/0/text").asText().contains(link), "the same pending link, as text: " + asText);
    JsonNode modern = modernCall(m, endpoint, 5, "write").path("result");
    assertEquals("input_required", modern.path("resultType").asText(), modern.toString());
    assertEquals(link, modern.at("/inputRequests/plugboard_connect/params/url").asText(), "a 2026-07-28 agent is asked with the same link");
    m.as().get("/v1/connections/" + id).then().body("broken_at", nullValue()).body("has_oauth_tokens", equalTo(true));

    for (String tool : List.of("admin", "stubborn")) {
      JsonNode plain = call(m, endpoint, session, 5, tool);
      assertEquals(-32000, plain.at("/error/code").asInt(), plain.toString());
      assertEquals(403, plain.at("/error/data/upstream_status").asInt(), plain.toString());
      assertFalse(plain.toString().contains("/connect/"), "no link: " + plain);
    }

    // The person: the link's page, then the authorization server, which grants the scope asked for.
    String path = URI.create(link).getPath();
    Response cont = pressContinue(path, given().get(path));
    assertEquals(303, cont.statusCode(), cont.asString());
    String authorization = cont.header("Location");
    List<String> asked = List.of(Browser.query(authorization).get("scope").split(" "));
    assertTrue(asked.containsAll(granted) && asked.contains(StepUpGate.WRITE_SCOPE), "the union of the granted scopes and the one asked for: " + asked);
    Response back = Browser.deliver(consentGranting(authorization, String.join(" ", asked)));
    assertTrue(back.statusCode() / 100 == 3 || back.statusCode() == 200, back.asString());
    String linkId = refused.at("/error/data/elicitations/0/elicitationId").asText();
    m.as().get("/v1/connect/links/" + linkId).then().statusCode(200).body("status", equalTo("completed")).body("connection_id", equalTo(id));
    List<String> now = m.as().get("/v1/connections/" + id).then().extract().path("oauth_scopes");
    assertTrue(now.contains(StepUpGate.WRITE_SCOPE), now.toString());

    assertEquals("write: ok", call(m, endpoint, session, 6, "write").at("/result/content/0/text").asText(), "the retry in the same session");
    assertEquals("write: ok", call(m, "/mcp/v1", aggregate, 7, "writer__write").at("/result/content/0/text").asText());
    assertEquals("write: ok", modernCall(m, endpoint, 8, "write").at("/result/content/0/text").asText());
  }

  /** A 2026-07-28 agent's tools/call (no session; version and capabilities, URL elicitation, in _meta). */
  private static JsonNode modernCall(Member m, String path, int id, String tool) throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{},\"_meta\":{"
        + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"modern\",\"version\":\"1\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{\"url\":{}}}}}}";
    Response r = given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call").header("Mcp-Name", tool).contentType("application/json").body(body).post(path);
    assertEquals(200, r.statusCode(), r.asString());
    return answer(r);
  }

  /** The authorization server's sign-in form (shown for prompt=consent), granting {@code scope} in the token. */
  private static String consentGranting(String authorizationUrl, String scope) throws Exception {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    String claims = URLEncoder.encode("{\"scope\":\"" + scope + "\"}", StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(authorizationUrl)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=person&claims=" + claims)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(302, r.statusCode(), r.body());
    return r.headers().firstValue("location").orElseThrow();
  }

  private static final String ACCEPT = "application/json, text/event-stream";

  /** An agent's session on {@code path}: initialize declaring {@code capabilities}, then initialized. */
  private static String open(Member m, String path, String capabilities) {
    Response init = given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).contentType("application/json")
        .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":" + capabilities
            + ",\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}")
        .post(path);
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18")
        .contentType("application/json").body("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").post(path).then().statusCode(202);
    return session;
  }

  /** A tools/call of {@code tool} in the session; the answer, from JSON or the last event of a stream. */
  private static JsonNode call(Member m, String path, String session, int id, String tool) throws Exception {
    Response r = given().header("Authorization", "Bearer " + m.key()).header("Accept", ACCEPT).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18")
        .contentType("application/json").body("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}")
        .post(path);
    assertEquals(200, r.statusCode(), r.asString());
    return answer(r);
  }

  private static JsonNode answer(Response r) throws Exception {
    String body = r.asString();
    if (r.contentType().startsWith("text/event-stream")) {
      String[] data = body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toArray(String[]::new);
      body = data[data.length - 1];
    }
    return JSON.readTree(body);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aServerWithoutOAuthFailsTheLinkWithDiscoveryFailed() {
    Member m = Fixtures.newMember();
    Map<String, Object> link =
        m.as().body(Map.of("mcp_server_url", McpOAuthFlowTest.mcp("open"), "name", "Open", "return_url", "http://app.localhost/x"))
            .post("/v1/connect/links").then().statusCode(201).extract().jsonPath().getMap("");
    String path = URI.create((String) link.get("url")).getPath();
    Response cont = pressContinue(path, given().get(path));
    assertEquals(303, cont.statusCode());
    Map<String, String> q = Browser.query(cont.header("Location"));
    assertEquals("failed", q.get("status"));
    assertEquals("discovery_failed", q.get("error"));
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("failed")).body("error", equalTo("discovery_failed"));
  }
}
