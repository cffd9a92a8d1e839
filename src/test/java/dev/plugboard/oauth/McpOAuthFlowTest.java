package dev.plugboard.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MCP servers protected by OAuth (MCP Java SDK behind a bearer check, RFC 9728 metadata) in front
 * of mock-oauth2-server: discovery, dynamic registration, client metadata documents, and refusals.
 */
@QuarkusTest
@QuarkusTestResource(value = OAuthPeers.class, restrictToAnnotatedClass = true)
class McpOAuthFlowTest {

  static String mcp(String id) {
    return OAuthPeers.mcpBase + "/" + id + "/mcp";
  }

  static Response check(Member m, String url) {
    return m.as().body(Map.of("mcp_server_url", url)).post("/v1/connections/oauth/mcp/check");
  }

  static Response start(Member m, Map<String, Object> body) {
    return m.as().body(body).post("/v1/connections/oauth/mcp/start");
  }

  /** Initializes an MCP session with the token Plugboard resolves for the connection. */
  static int initializeWith(String serverUrl, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(serverUrl))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void checkReportsDiscoveryWithoutWriting() {
    Member m = Fixtures.newMember();
    check(m, mcp("dcr"))
        .then()
        .statusCode(200)
        .body("supports_dcr", equalTo(true))
        .body("authorization_endpoint", equalTo(OAuthPeers.asBase + "/dcr/authorize"))
        .body("scopes", contains("openid", "mcp:read", "offline_access"));
    // No challenge header: path-aware well-known protected-resource metadata is found instead.
    check(m, mcp("noheader")).then().statusCode(200).body("supports_dcr", equalTo(true)).body("scopes", hasItem("mcp:write"));
    check(m, mcp("cimd")).then().statusCode(200).body("supports_dcr", equalTo(true));
    check(m, mcp("nodcr")).then().statusCode(200).body("supports_dcr", equalTo(false));
    check(m, mcp("open")).then().statusCode(200).body("supports_dcr", equalTo(false)).body("$", not(hasKey("authorization_endpoint")));
    m.as().get("/v1/connections").then().body("total", equalTo(0));
  }

  @Test
  void checkFailuresAreClean() throws Exception {
    Member m = Fixtures.newMember();
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    check(m, "http://127.0.0.1:" + closed + "/mcp").then().statusCode(502).body("error", equalTo("upstream_error"));
    check(m, mcp("nos256")).then().statusCode(502).body("message", containsString("S256"));
    check(m, mcp("wrongiss")).then().statusCode(502).body("message", containsString("different issuer"));
    check(m, mcp("badres")).then().statusCode(502).body("message", containsString("not for this MCP server"));
    check(m, "ftp://127.0.0.1/mcp").then().statusCode(400).body("error", equalTo("validation_failed"));
    m.as().body(Map.of()).post("/v1/connections/oauth/mcp/check").then().statusCode(400).body("message", containsString("mcp_server_url"));
  }

  @Test
  void dynamicRegistrationFlowCreatesAWorkingConnection() throws Exception {
    Member m = Fixtures.newMember();
    int registeredBefore = OAuthPeers.registrations.size();
    String url =
        start(m, Map.of("mcp_server_url", mcp("dcr"), "name", "Tracker", "return_url", "http://app.localhost/cb"))
            .then()
            .statusCode(200)
            .extract()
            .path("authorization_url");
    int registered = OAuthPeers.registrations.size();
    assertTrue(registered >= 1 && registered <= registeredBefore + 1, "registered once per authorization server");
    JsonNode reg = OAuthPeers.registrations.get(OAuthPeers.registrations.size() - 1);
    assertEquals("web", reg.path("application_type").asText());
    assertEquals("https://localhost/v1/connections/oauth/callback", reg.path("redirect_uris").get(0).asText());
    assertEquals("client_secret_post", reg.path("token_endpoint_auth_method").asText());
    assertTrue(reg.path("grant_types").toString().contains("refresh_token"));
    assertEquals("code", reg.path("response_types").get(0).asText());
    assertFalse(reg.path("client_name").asText().isEmpty());

    Map<String, String> q = Browser.query(url);
    assertTrue(url.startsWith(OAuthPeers.asBase + "/dcr/authorize?"));
    assertTrue(q.get("client_id").startsWith("dyn-"));
    assertEquals(mcp("dcr"), q.get("resource"));
    assertEquals("openid mcp:read offline_access", q.get("scope"));
    assertEquals("consent", q.get("prompt"));
    assertEquals("S256", q.get("code_challenge_method"));

    Response cb = Browser.roundTrip(url);
    assertEquals(302, cb.statusCode(), cb.asString());
    Map<String, String> result = Browser.query(cb.header("Location"));
    assertEquals("success", result.get("status"));
    String id = result.get("connection_id");
    m.as()
        .get("/v1/connections/" + id)
        .then()
        .body("type", equalTo("custom_mcp"))
        .body("provider", equalTo("user"))
        .body("auth_method", equalTo("oauth"))
        .body("server_url", equalTo(mcp("dcr")))
        .body("oauth_provider", equalTo(OAuthPeers.asBase + "/dcr"))
        .body("has_oauth_tokens", equalTo(true))
        .body("name", equalTo("Tracker"))
        .body("slug", equalTo("tracker"));

    Map<String, Object> resolved =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
            .then().statusCode(200).body("server_url", equalTo(mcp("dcr"))).extract().path("headers");
    assertEquals(401, initializeWith(mcp("dcr"), null));
    assertEquals(200, initializeWith(mcp("dcr"), resolved.get("Authorization").toString()), "the MCP server accepts the token");

    // The registration is reused for the next flow against the same authorization server.
    start(m, Map.of("mcp_server_url", mcp("dcr"), "name", "Again")).then().statusCode(200);
    assertEquals(registered, OAuthPeers.registrations.size());
  }

  @Test
  void clientMetadataDocumentIsUsedWhenSupported() throws Exception {
    Member m = Fixtures.newMember();
    int registeredBefore = OAuthPeers.registrations.size();
    String url =
        start(m, Map.of("mcp_server_url", mcp("cimd"), "name", "CIMD", "integration_type", "linear"))
            .then().statusCode(200).extract().path("authorization_url");
    assertEquals("https://localhost/oauth/client-metadata.json", Browser.query(url).get("client_id"));
    assertEquals(registeredBefore, OAuthPeers.registrations.size(), "no registration");
    given()
        .get("/oauth/client-metadata.json")
        .then()
        .statusCode(200)
        .body("client_id", equalTo("https://localhost/oauth/client-metadata.json"))
        .body("redirect_uris", contains("https://localhost/v1/connections/oauth/callback"))
        .body("token_endpoint_auth_method", equalTo("none"))
        .body("client_name", not(emptyString()));

    // No return URL: the frontend gets the result.
    Response cb = Browser.roundTrip(url);
    assertEquals(302, cb.statusCode());
    assertTrue(cb.header("Location").startsWith("http://localhost:3000?status=success&connection_id="));
    String id = Browser.query(cb.header("Location")).get("connection_id");
    m.as().get("/v1/connections/" + id).then().body("type", equalTo("linear")).body("provider", equalTo("user"));
    Map<String, Object> resolved =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
            .then().statusCode(200).extract().path("headers");
    assertEquals(200, initializeWith(mcp("cimd"), resolved.get("Authorization").toString()));
  }

  @Test
  void withoutRegistrationTheCallerMustBringAClient() {
    Member m = Fixtures.newMember();
    start(m, Map.of("mcp_server_url", mcp("nodcr"), "name", "x")).then().statusCode(400).body("error", equalTo("dcr_not_supported"));
    String url =
        start(m, Map.of("mcp_server_url", mcp("nodcr"), "name", "x", "oauth_client_id", "my-client", "oauth_client_secret", "my-secret"))
            .then().statusCode(200).extract().path("authorization_url");
    assertEquals("my-client", Browser.query(url).get("client_id"));
    assertFalse(url.contains("my-secret"));
    start(m, Map.of("mcp_server_url", mcp("open"), "name", "x")).then().statusCode(400).body("message", containsString("no OAuth"));
    start(m, Map.of("mcp_server_url", mcp("nos256"), "name", "x")).then().statusCode(502);
    start(m, Map.of("mcp_server_url", mcp("dcr"))).then().statusCode(400).body("message", containsString("name"));
  }

  @Test
  void aTokenIsNeverSentToAnotherServer() {
    Member m = Fixtures.newMember();
    String url = start(m, Map.of("mcp_server_url", mcp("dcr"), "name", "T", "return_url", "http://app.localhost/x"))
        .then().statusCode(200).extract().path("authorization_url");
    String id = Browser.query(Browser.roundTrip(url).header("Location")).get("connection_id");
    m.as().body(Map.of("server_url", OAuthPeers.mcpBase + "/elsewhere/mcp")).patch("/v1/connections/" + id).then().statusCode(200)
        .body("has_oauth_tokens", equalTo(false))
        .body("broken_reason", equalTo("reauthorization_required"));
    given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
        .then().statusCode(200).body("headers", not(hasKey("Authorization")));

    // Reconnecting against the new server issues a token for it, in place.
    String again = start(m, Map.of("mcp_server_url", mcp("cimd"), "reconnect_instance_id", id, "return_url", "http://app.localhost/x"))
        .then().statusCode(200).extract().path("authorization_url");
    Map<String, String> q = Browser.query(Browser.roundTrip(again).header("Location"));
    assertEquals(id, q.get("connection_id"));
    m.as().get("/v1/connections/" + id).then().body("server_url", equalTo(mcp("cimd"))).body("broken_at", nullValue()).body("has_oauth_tokens", equalTo(true));
  }

  @Test
  void serversOfThe20250326RevisionAreTheirOwnAuthorizationServer() throws Exception {
    Member m = Fixtures.newMember();
    // No protected-resource metadata: RFC 8414 metadata at the MCP server's origin is used.
    check(m, mcp("legacy")).then().statusCode(200)
        .body("supports_dcr", equalTo(true))
        .body("authorization_endpoint", equalTo(OAuthPeers.asBase + "/legacy/authorize"))
        .body("scopes", contains("openid", "offline_access"));
    String url = start(m, Map.of("mcp_server_url", mcp("legacy"), "name", "Legacy"))
        .then().statusCode(200).extract().path("authorization_url");
    assertTrue(url.startsWith(OAuthPeers.asBase + "/legacy/authorize?"), url);
    assertEquals(mcp("legacy"), Browser.query(url).get("resource"));
    String id = Browser.query(Browser.roundTrip(url).header("Location")).get("connection_id");
    Map<String, Object> resolved =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
            .then().statusCode(200).extract().path("headers");
    assertEquals(200, initializeWith(mcp("legacy"), resolved.get("Authorization").toString()), "the MCP server accepts the token");

    // No metadata at all: the revision's default endpoints, as long as /authorize exists ...
    try (Bare withDefaults = new Bare(true); Bare apiKeyOnly = new Bare(false)) {
      check(m, withDefaults.base + "/mcp").then().statusCode(200)
          .body("supports_dcr", equalTo(true))
          .body("authorization_endpoint", equalTo(withDefaults.base + "/authorize"));
      // ... otherwise a 401 is just a server that wants an API key.
      check(m, apiKeyOnly.base + "/mcp").then().statusCode(200)
          .body("supports_dcr", equalTo(false))
          .body("$", not(hasKey("authorization_endpoint")));
    }
  }

  /** A server that answers 401 without a challenge and publishes no metadata; /authorize is 400 or 404. */
  private static final class Bare implements AutoCloseable {
    final com.sun.net.httpserver.HttpServer server;
    final String base;

    Bare(boolean authorize) throws java.io.IOException {
      server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", x -> {
        int status = x.getRequestURI().getPath().equals("/mcp") ? 401 : x.getRequestURI().getPath().equals("/authorize") && authorize ? 400 : 404;
        x.sendResponseHeaders(status, -1);
        x.close();
      });
      server.start();
      base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
