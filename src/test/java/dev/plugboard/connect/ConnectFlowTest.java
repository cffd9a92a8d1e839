package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.*;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of link end to end through its page, against real peers (mock-oauth2-server, WireMock as Composio). */
@QuarkusTest
@QuarkusTestResource(value = ConnectPeers.class, restrictToAnnotatedClass = true)
class ConnectFlowTest {

  private static com.github.tomakehurst.wiremock.matching.StringValuePattern equalToWm(String value) {
    return com.github.tomakehurst.wiremock.client.WireMock.equalTo(value);
  }

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

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  @Test
  void composioLinkStartsAndFinalizesBehindThePage() {
    Member m = Fixtures.newMember();
    String ca = "ca_" + UUID.randomUUID();
    String ac = "ac_" + UUID.randomUUID();
    String server = "srv_" + UUID.randomUUID();
    WireMockServer composio = ConnectPeers.composio;
    composio.stubFor(
        post(urlEqualTo("/api/v3/connected_accounts"))
            .withRequestBody(matchingJsonPath("$.auth_config.id", equalToWm(ac)))
            .willReturn(json(201, "{\"id\": \"%s\", \"connectionData\": {\"authScheme\": \"OAUTH2\", \"val\": {\"status\": \"INITIATED\", \"redirectUrl\": \"https://consent.composio.test/x\"}}, \"status\": \"INITIATED\"}".formatted(ca))));
    Map<String, Object> link = make(m, Map.of("composio_auth_config_id", ac, "app", "slack", "name", "Team Slack", "return_url", "http://app.localhost/c"));
    String path = path(link);
    Opened opened = open(path);
    assertTrue(opened.page().asString().contains("Composio (localhost:" + composio.port() + ")"), opened.page().asString());
    Response cont = press(path, opened, "continue", Map.of());
    assertEquals(303, cont.statusCode(), cont.asString());
    assertEquals("https://consent.composio.test/x", cont.header("Location"));

    // Composio sends the browser back to the callback_url Plugboard gave it, once the person consented.
    JsonNode started = readJson(composio.findAll(postRequestedFor(urlEqualTo("/api/v3/connected_accounts")).withRequestBody(matchingJsonPath("$.auth_config.id", equalToWm(ac)))).get(0).getBodyAsString());
    String callback = started.at("/connection/callback_url").asText();
    assertTrue(callback.startsWith(ConnectPeers.base + "/connect/return/"), callback);
    assertEquals(m.userId(), started.at("/connection/user_id").asText());
    composio.stubFor(
        get(urlEqualTo("/api/v3/connected_accounts/" + ca))
            .willReturn(json(200, "{\"id\": \"%s\", \"toolkit\": {\"slug\": \"slack\"}, \"auth_config\": {\"id\": \"%s\"}, \"status\": \"ACTIVE\"}".formatted(ca, ac))));
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers"))
            .withRequestBody(matchingJsonPath("$.auth_config_ids[0]", equalToWm(ac)))
            .willReturn(json(201, "{\"id\": \"%s\", \"name\": \"n\", \"auth_config_ids\": [\"%s\"], \"mcp_url\": \"%s/s\"}".formatted(server, ac, composio.baseUrl()))));
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers/generate"))
            .withRequestBody(matchingJsonPath("$.mcp_server_id", equalToWm(server)))
            .willReturn(json(200, "{\"mcp_url\": \"%s/s\", \"connected_account_urls\": [\"%s/s?ca=%s\"], \"user_ids_url\": []}".formatted(composio.baseUrl(), composio.baseUrl(), ca))));
    Response back = given().redirects().follow(false).get(URI.create(callback).getPath() + "?status=success&connected_account_id=" + ca);
    assertEquals(303, back.statusCode(), back.asString());
    Map<String, String> q = query(back.header("Location"));
    assertEquals("completed", q.get("status"));
    m.as().get("/v1/connections/" + q.get("connection_id")).then().statusCode(200)
        .body("provider", equalTo("composio"))
        .body("type", equalTo("slack"))
        .body("name", equalTo("Team Slack"))
        .body("composio_mcp_id", equalTo(server));
    given().get(URI.create(callback).getPath()).then().statusCode(410);
  }

  private static JsonNode readJson(String body) {
    try {
      return new ObjectMapper().readTree(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(metrics.contains("plugboard_connect_links_total{kind=\"secrets\",status=\"completed\"}"), "the links metric counts the outcome");
    assertTrue(metrics.contains("plugboard_connect_links_total{kind=\"secrets\",status=\"pending\"}"));
  }
}
