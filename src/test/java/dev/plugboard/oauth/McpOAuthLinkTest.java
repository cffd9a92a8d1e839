package dev.plugboard.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
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
