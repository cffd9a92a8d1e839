package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MCP Streamable HTTP: a present Origin that is not allowed is 403 on both gateway endpoints, before
 * the API key is even looked at; no Origin (an agent) and a listed one (the test profile allows
 * https://agents.example.test) are served.
 */
@QuarkusTest
class OriginTest {

  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

  private static RequestSpecification mcp(Member m) {
    return given().header("Authorization", "Bearer " + m.key()).header("Accept", "application/json, text/event-stream").contentType("application/json").body(INITIALIZE);
  }

  @Test
  void aForeignOriginIsRefusedOnBothEndpoints() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Map.of("name", "Origin Probe", "server_url", "http://127.0.0.1:9/mcp", "provider", "user", "auth_method", "url"));
    for (String path : List.of("/mcp/v1", "/mcp/v1/connections/" + id)) {
      for (String origin : List.of("http://evil.example.com", "null", "https://agents.example.test.evil.example.com", "http://agents.example.test")) {
        mcp(m).header("Origin", origin).post(path).then().statusCode(403).body("error", equalTo("origin_not_allowed"));
      }
      // refused before authentication: a page cannot even learn whether a key is valid
      given().header("Origin", "http://evil.example.com").contentType("application/json").body(INITIALIZE).post(path).then().statusCode(403);
      given().header("Origin", "http://evil.example.com").delete(path).then().statusCode(403);
    }
  }

  @Test
  void noOriginOrAnAllowedOneIsServed() {
    Member m = Fixtures.newMember();
    mcp(m).post("/mcp/v1").then().statusCode(200).body("result.serverInfo.name", equalTo("plugboard"));
    mcp(m).header("Origin", "https://agents.example.test").post("/mcp/v1").then().statusCode(200);
    mcp(m).header("Origin", "HTTPS://Agents.Example.Test:443").post("/mcp/v1").then().statusCode(200);
  }

  @Test
  void originsCompareAsSchemeHostAndPort() {
    List<String> allowed = List.of("https://app.example.test", "http://localhost:3000");
    assertTrue(OriginFilter.allowed("https://app.example.test:443", allowed));
    assertTrue(OriginFilter.allowed("http://LOCALHOST:3000", allowed));
    assertFalse(OriginFilter.allowed("http://app.example.test", allowed));
    assertFalse(OriginFilter.allowed("http://localhost:3001", allowed));
    assertFalse(OriginFilter.allowed("https://app.example.test/path", allowed));
    assertFalse(OriginFilter.allowed("not a url", allowed));
  }
}
