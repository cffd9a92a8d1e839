package dev.plugboard.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.SdkAgent;
import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The whole MCP OAuth flow against the MCP TypeScript SDK's example server ({@code
 * simpleStreamableHttp.js --oauth}: its authorization server registers clients dynamically and
 * approves at once). Run by {@code conformance/oauth.sh}, which starts the server on loopback and
 * sets {@code PLUGBOARD_CONFORMANCE_MCP_URL}. Then the SDK's own client uses the connection through
 * the gateway with only an API key.
 */
@QuarkusTest
@EnabledIfEnvironmentVariable(named = "PLUGBOARD_CONFORMANCE_MCP_URL", matches = "http://(localhost|127\\.0\\.0\\.1):\\d+/mcp")
class SdkExampleOAuthConformanceTest {

  @Test
  void discoveryRegistrationConsentAndUse() throws Exception {
    String server = System.getenv("PLUGBOARD_CONFORMANCE_MCP_URL");
    Member m = Fixtures.newMember();
    m.as()
        .body(Map.of("mcp_server_url", server))
        .post("/v1/connections/oauth/mcp/check")
        .then()
        .statusCode(200)
        .body("supports_dcr", equalTo(true))
        .body("authorization_endpoint", endsWith("/authorize"));
    String url =
        m.as()
            .body(Map.of("mcp_server_url", server, "name", "SDK example"))
            .post("/v1/connections/oauth/mcp/start")
            .then()
            .statusCode(200)
            .extract()
            .path("authorization_url");
    Map<String, String> q = Browser.query(url);
    assertEquals(server, q.get("resource"));
    assertEquals("S256", q.get("code_challenge_method"));

    // No return URL and no frontend configured: the callback answers a page.
    Response page = Browser.roundTrip(url);
    assertEquals(200, page.statusCode(), page.asString());
    assertTrue(page.asString().contains("ready"));
    String id = m.as().get("/v1/connections").then().body("total", equalTo(1)).extract().path("integrations[0].id");
    m.as().get("/v1/connections/" + id).then().body("auth_method", equalTo("oauth")).body("has_oauth_tokens", equalTo(true));

    Map<String, Object> headers =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
            .then().statusCode(200).extract().path("headers");
    assertEquals(401, McpOAuthFlowTest.initializeWith(server, null));
    String authorization = headers.get("Authorization").toString();
    assertEquals(200, McpOAuthFlowTest.initializeWith(server, authorization));

    // Through the gateway the SDK client holds only the API key, Plugboard the token, and it gets what
    // it gets with the token in hand: per connection, and under the connection's slug on /mcp/v1.
    JsonNode direct = SdkAgent.run(server, "http", authorization.substring("Bearer ".length()));
    assertTrue(direct.get("tools").size() > 0, direct.toString());
    String gateway = "http://127.0.0.1:" + RestAssured.port + "/mcp/v1";
    assertEquals(direct, SdkAgent.run(gateway + "/connections/" + id, "http", m.key()));
    String slug = m.as().get("/v1/connections/" + id).then().extract().path("slug");
    JsonNode aggregated = SdkAgent.run(gateway, "http", m.key(), slug);
    assertEquals(direct.get("tools"), aggregated.get("tools"));
    assertEquals(direct.get("calls"), aggregated.get("calls"));
    System.out.println("conformance oauth gateway: " + direct.get("tools").size() + " tools, " + direct.get("calls").size() + " calls, identical directly, per connection and on /mcp/v1");
  }
}
