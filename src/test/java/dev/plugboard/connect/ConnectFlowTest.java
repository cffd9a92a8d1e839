package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of link end to end through its page, against real peers (mock-oauth2-server, WireMock as Composio). */
@QuarkusTest
@QuarkusTestResource(value = ConnectPeers.class, restrictToAnnotatedClass = true)
class ConnectFlowTest {

  @Test
  void nativeLinkCompletesThroughThePageAndTheCallback() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail", "return_url", "http://app.localhost/done"));
    assertEquals("pending", link.get("status"));
    assertEquals("native", link.get("kind"));
    String path = path(link);

    Opened opened = open(path);
    String html = opened.page().asString();
    assertTrue(html.contains("Gmail"), html);
    assertTrue(html.contains("127.0.0.1:" + ConnectPeers.oauth.baseUrl().port()), "names the host the browser goes to, with its port");
    assertEquals("no-store", opened.page().header("Cache-Control"));
    assertEquals("no-referrer", opened.page().header("Referrer-Policy"));
    assertEquals("DENY", opened.page().header("X-Frame-Options"));
    assertEquals("nosniff", opened.page().header("X-Content-Type-Options"));
    assertTrue(opened.page().header("Content-Security-Policy").contains("frame-ancestors 'none'"));
    open(path); // a GET never uses the link up

    Response cont = press(path, opened, "continue", Map.of());
    assertEquals(303, cont.statusCode(), cont.asString());
    String authorize = cont.header("Location");
    assertTrue(authorize.startsWith("http://127.0.0.1:" + ConnectPeers.oauth.baseUrl().port() + "/default/authorize?"), authorize);

    Response back = consentAndReturn(authorize);
    assertEquals(302, back.statusCode(), back.asString());
    Map<String, String> q = query(back.header("Location"));
    assertEquals(link.get("id"), q.get("connect_link_id"));
    assertEquals("completed", q.get("status"));
    String connectionId = q.get("connection_id");
    assertNotNull(connectionId);

    m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200)
        .body("status", equalTo("completed"))
        .body("connection_id", equalTo(connectionId))
        .body("url", nullValue())
        .body("completed_at", notNullValue());
    m.as().get("/v1/connections/" + connectionId).then().statusCode(200)
        .body("type", equalTo("gmail"))
        .body("has_oauth_tokens", equalTo(true))
        .body("user_id", equalTo(m.userId()));
    given().get(path).then().statusCode(410);
  }

  @Test
  void secretsLinkStoresTheTypedValuesEncryptedAndCompletesAtOnce() {
    Member m = Fixtures.newMember();
    Map<String, Object> link =
        make(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "Linear", "secret_headers", List.of("Authorization", "X-Team-Key")));
    assertEquals("secrets", link.get("kind"));
    String path = path(link);
    Opened opened = open(path);
    assertTrue(opened.page().asString().contains("name=\"secret.Authorization\""));

    Response missing = press(path, opened, "continue", Map.of("secret.Authorization", "Bearer lin_123"));
    assertEquals(400, missing.statusCode(), "a missing value shows the page again");
    assertTrue(missing.asString().contains("X-Team-Key"));

    Response done = press(path, opened, "continue", Map.of("secret.Authorization", "Bearer lin_123", "secret.X-Team-Key", "tk_456"));
    assertEquals(200, done.statusCode(), done.asString());
    assertTrue(done.asString().contains("Linear is connected"));

    String connectionId = m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200)
        .body("status", equalTo("completed")).extract().path("connection_id");
    m.as().get("/v1/connections/" + connectionId).then().statusCode(200)
        .body("auth_method", equalTo("headers"))
        .body("provider", equalTo("user"))
        .body("type", equalTo("custom_mcp"));
    Map<String, Object> resolved =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + connectionId + "/resolve")
            .then().statusCode(200).extract().path("headers");
    assertEquals("Bearer lin_123", resolved.get("Authorization"));
    assertEquals("tk_456", resolved.get("X-Team-Key"));
  }
}
