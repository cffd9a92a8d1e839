package dev.plugboard.composio;

import dev.plugboard.support.Await;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both Composio endpoints against a WireMock double that answers as Composio's v3 API documents
 * (RESEARCH §1), checking what Plugboard sends field by field.
 */
@QuarkusTest
@WithTestResource(value = ComposioDouble.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ComposioConnectionsTest {

  private static final String KEY = ComposioDouble.API_KEY;

  @jakarta.inject.Inject dev.plugboard.support.Db db;
  private static final String CALLBACK = "https://app.example.test/integrations/composio/done";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> LOGGED = Collections.synchronizedList(new ArrayList<>());
  private static final Handler CAPTURE =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          String text = r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage();
          LOGGED.add(text + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @ComposioDouble.Inject WireMockServer composio;

  @BeforeAll
  static void captureLogs() {
    java.util.logging.Logger.getLogger("").addHandler(CAPTURE);
  }

  @AfterAll
  static void keyNeverLogged() {
    java.util.logging.Logger.getLogger("").removeHandler(CAPTURE);
    synchronized (LOGGED) {
      for (String line : LOGGED) {
        assertFalse(line.contains(KEY), "Composio's key was logged: " + line);
        assertFalse(line.contains("sk-live"), "auth_fields were logged: " + line);
      }
    }
  }

  @BeforeEach
  void reset() {
    composio.resetAll();
  }

  // ---- start ------------------------------------------------------------------------------------

  @Test
  void oauthStartSendsNoStateAndReadsConnectionData() {
    Member m = Fixtures.newMember();
    String ac = "ac_" + rnd();
    String ca = "ca_" + rnd();
    String consent = composio.baseUrl() + "/api/v3/s/consent1";
    stubCreate(
        201,
        """
        {"id": "%s",
         "connectionData": {"authScheme": "OAUTH2",
           "val": {"status": "INITIATED", "redirectUrl": "%s", "callback_url": "%s", "code_verifier": "v"}},
         "status": "INITIALIZING",
         "redirect_url": "%s/legacy",
         "redirect_uri": "%s/legacy",
         "deprecated": {"uuid": "%s", "authConfigUuid": "%s"}}
        """
            .formatted(ca, consent, CALLBACK, consent, consent, UUID.randomUUID(), UUID.randomUUID()));

    for (Map<String, Object> body :
        List.<Map<String, Object>>of(
            Map.of("auth_config_id", ac, "callback_url", CALLBACK),
            Map.of("auth_config_id", ac, "callback_url", CALLBACK, "auth_scheme", "OAUTH2"),
            Map.of("auth_config_id", ac, "callback_url", CALLBACK, "auth_scheme", "OAUTH1"))) {
      m.as()
          .body(body)
          .post("/v1/connections/composio/start")
          .then()
          .statusCode(200)
          .body("redirect_url", equalTo(consent))
          .body("status", equalTo("INITIATED"))
          .body("connected_account_id", equalTo(ca))
          .body("$", aMapWithSize(3));
    }
    composio.verify(
        3,
        postRequestedFor(urlEqualTo("/api/v3/connected_accounts"))
            .withHeader("x-api-key", WireMock.equalTo(KEY))
            .withHeader("Content-Type", WireMock.containing("application/json"))
            .withRequestBody(
                equalToJson(
                    """
                    {"auth_config": {"id": "%s"},
                     "connection": {"user_id": "%s", "callback_url": "%s"}}
                    """
                        .formatted(ac, m.userId(), CALLBACK))));
  }

  @Test
  void startFallsBackToTheDeprecatedTopLevelFields() {
    Member m = Fixtures.newMember();
    String ca = "ca_" + rnd();
    String legacy = composio.baseUrl() + "/api/v3/s/legacy";
    stubCreate(
        201,
        """
        {"id": "%s", "connectionData": {"authScheme": "OAUTH2", "val": {}},
         "status": "INITIATED", "redirect_url": "%s", "redirect_uri": "%s"}
        """
            .formatted(ca, legacy, legacy));
    m.as()
        .body(Map.of("auth_config_id", "ac_" + rnd(), "callback_url", CALLBACK))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(200)
        .body("redirect_url", equalTo(legacy))
        .body("status", equalTo("INITIATED"))
        .body("connected_account_id", equalTo(ca));
  }

  @Test
  void credentialSchemesSendAnActiveStateAndComeBackWithoutRedirect() {
    Member m = Fixtures.newMember();
    record Case(String scheme, Map<String, Object> fields) {}
    for (Case c :
        List.of(
            new Case("API_KEY", Map.of("api_key", "sk-live-apikey-1")),
            new Case("BEARER_TOKEN", Map.of("token", "sk-live-bearer-2")),
            new Case("BASIC", Map.of("username", "ops", "password", "sk-live-basic-3", "subdomain", "acme")))) {
      composio.resetAll();
      String ac = "ac_" + rnd();
      String ca = "ca_" + rnd();
      // Composio echoes the credentials in connectionData.val: Plugboard must not pass them on.
      Map<String, Object> val = new java.util.LinkedHashMap<>(c.fields());
      val.put("status", "ACTIVE");
      stubCreate(
          201,
          json(
              Map.of(
                  "id", ca,
                  "connectionData", Map.of("authScheme", c.scheme(), "val", val),
                  "status", "ACTIVE",
                  "redirect_url", nullValueJson(),
                  "redirect_uri", nullValueJson())));
      String answer =
          m.as()
              .body(Map.of("auth_config_id", ac, "callback_url", CALLBACK, "auth_scheme", c.scheme(), "auth_fields", c.fields()))
              .post("/v1/connections/composio/start")
              .then()
              .statusCode(200)
              .body("redirect_url", nullValue())
              .body("$", hasKey("redirect_url"))
              .body("status", equalTo("ACTIVE"))
              .body("connected_account_id", equalTo(ca))
              .extract()
              .asString();
      assertFalse(answer.contains("sk-live"), "credentials echoed: " + answer);

      Map<String, Object> expectedVal = new java.util.LinkedHashMap<>(c.fields());
      expectedVal.put("status", "ACTIVE");
      composio.verify(
          1,
          postRequestedFor(urlEqualTo("/api/v3/connected_accounts"))
              .withHeader("x-api-key", WireMock.equalTo(KEY))
              .withRequestBody(
                  equalToJson(
                      json(
                          Map.of(
                              "auth_config", Map.of("id", ac),
                              "connection",
                                  Map.of(
                                      "user_id", m.userId(),
                                      "callback_url", CALLBACK,
                                      "state", Map.of("authScheme", c.scheme(), "val", expectedVal)))))));
    }
  }

  @Test
  void startValidatesBeforeCallingComposio() {
    Member m = Fixtures.newMember();
    record Bad(Object body, int status, String code, String field) {}
    List<Bad> cases =
        List.of(
            new Bad(Map.of("callback_url", CALLBACK), 400, "validation_failed", "auth_config_id"),
            new Bad(Map.of("auth_config_id", "", "callback_url", CALLBACK), 400, "validation_failed", "auth_config_id"),
            new Bad(Map.of("auth_config_id", "ac_1"), 400, "validation_failed", "callback_url"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", "/relative"), 400, "validation_failed", "callback_url"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", "ftp://files.example.test/x"), 400, "validation_failed", "callback_url"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", "javascript:alert(1)"), 400, "validation_failed", "callback_url"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", CALLBACK, "auth_scheme", "SAML"), 400, "validation_failed", "auth_scheme"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", CALLBACK, "auth_fields", Map.of("api_key", "sk-live-x")), 400, "validation_failed", "auth_scheme"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", CALLBACK, "auth_scheme", "API_KEY"), 400, "validation_failed", "auth_fields"),
            new Bad(Map.of("auth_config_id", 7, "callback_url", CALLBACK), 400, "invalid_request", "auth_config_id"),
            new Bad(Map.of("auth_config_id", "ac_1", "callback_url", CALLBACK, "auth_scheme", "API_KEY", "auth_fields", "sk-live-y"), 400, "invalid_request", "auth_fields"));
    for (Bad b : cases) {
      m.as()
          .body(b.body())
          .post("/v1/connections/composio/start")
          .then()
          .statusCode(b.status())
          .body("error", equalTo(b.code()))
          .body("message", containsString(b.field()))
          .body("$", aMapWithSize(2));
    }
    m.as().body("{").post("/v1/connections/composio/start").then().statusCode(400).body("error", equalTo("invalid_request"));
    given().contentType(ContentType.JSON).body(Map.of("auth_config_id", "ac_1", "callback_url", CALLBACK))
        .post("/v1/connections/composio/start").then().statusCode(401).body("error", equalTo("invalid_token"));
    assertEquals(0, composio.getAllServeEvents().size(), "Composio was called for an invalid request");
  }

  @Test
  void keyAndCredentialsStayOutOfTheLog() {
    Member m = Fixtures.newMember();
    String ca = "ca_" + rnd();
    stubCreate(201, json(Map.of("id", ca, "connectionData", Map.of("authScheme", "API_KEY", "val", Map.of("status", "ACTIVE", "api_key", "sk-live-log")), "status", "ACTIVE")));
    m.as()
        .body(Map.of("auth_config_id", "ac_log", "callback_url", CALLBACK, "auth_scheme", "API_KEY", "auth_fields", Map.of("api_key", "sk-live-log")))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(200);
    stubCreate(401, "{\"error\": {\"message\": \"Invalid API key %s\", \"code\": 401, \"status\": 401, \"slug\": \"InvalidApiKey\"}}".formatted(KEY));
    m.as()
        .body(Map.of("auth_config_id", "ac_log", "callback_url", CALLBACK))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(502)
        .body("message", not(containsString(KEY)));
    synchronized (LOGGED) {
      assertTrue(LOGGED.stream().anyMatch(l -> l.contains("started Composio account " + ca)), "the log capture saw nothing");
      assertTrue(LOGGED.stream().anyMatch(l -> l.contains("InvalidApiKey")), "the refused call was not logged");
      assertTrue(LOGGED.stream().noneMatch(l -> l.contains(KEY) || l.contains("sk-live")));
    }
  }

  // ---- error mapping ----------------------------------------------------------------------------

  @Test
  void composioErrorsMapToOurEnvelope() {
    Member m = Fixtures.newMember();
    record Case(int composio, int ours, String code, boolean passesMessage) {}
    for (Case c :
        List.of(
            new Case(400, 400, "validation_failed", true),
            new Case(404, 404, "not_found", true),
            new Case(409, 409, "conflict", true),
            new Case(422, 422, "validation_failed", true),
            new Case(401, 502, "upstream_error", false),
            new Case(403, 502, "upstream_error", false),
            new Case(500, 502, "upstream_error", true),
            new Case(503, 502, "upstream_error", true))) {
      composio.resetAll();
      String message = "Auth config \"ac_missing\" problem " + c.composio();
      stubCreate(
          c.composio(),
          """
          {"error": {"message": "%s", "code": 612, "status": %d, "slug": "AuthConfig_ResourceNotFound",
                     "request_id": "req_1", "suggested_fix": "check the id", "errors": []}}
          """
              .formatted(message.replace("\"", "\\\""), c.composio()));
      String body =
          m.as()
              .body(Map.of("auth_config_id", "ac_missing", "callback_url", CALLBACK))
              .post("/v1/connections/composio/start")
              .then()
              .statusCode(c.ours())
              .body("error", equalTo(c.code()))
              .body("$", aMapWithSize(2))
              .extract()
              .asString();
      String ourMessage = readTree(body).get("message").asText();
      if (c.passesMessage()) {
        assertTrue(ourMessage.contains(message), c + ": " + ourMessage);
      } else {
        assertFalse(ourMessage.contains(message), c + ": " + ourMessage);
      }
      assertFalse(body.contains(KEY));
    }

    // An answer that is not JSON at all.
    composio.resetAll();
    composio.stubFor(post(urlEqualTo("/api/v3/connected_accounts")).willReturn(aResponse().withStatus(502).withBody("<html>bad gateway</html>")));
    m.as().body(Map.of("auth_config_id", "ac_x", "callback_url", CALLBACK)).post("/v1/connections/composio/start")
        .then().statusCode(502).body("error", equalTo("upstream_error"));
  }

  @Test
  void slowComposioIsATimeout() {
    Member m = Fixtures.newMember();
    composio.stubFor(
        post(urlEqualTo("/api/v3/connected_accounts"))
            .willReturn(okJson("{\"id\": \"ca_slow\", \"status\": \"INITIATED\"}").withStatus(201).withFixedDelay(9_000)));
    m.as()
        .body(Map.of("auth_config_id", "ac_slow", "callback_url", CALLBACK))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(504)
        .body("error", equalTo("upstream_timeout"))
        .body("message", containsString(ComposioDouble.TIMEOUT.replace("s", " s")));
  }

  @Test
  void composioDroppingTheConnectionIsAnUpstreamError() {
    Member m = Fixtures.newMember();
    composio.stubFor(
        post(urlEqualTo("/api/v3/connected_accounts"))
            .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
    m.as()
        .body(Map.of("auth_config_id", "ac_x", "callback_url", CALLBACK))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(502)
        .body("error", equalTo("upstream_error"));
  }

  // ---- finalize ---------------------------------------------------------------------------------

  @Test
  void finalizeCreatesTheConnectionOnceAndResolveAndDeleteWork() {
    Member m = Fixtures.newMember();
    String ac = "ac_" + rnd();
    String ca = startOAuth(m, ac);
    String server = UUID.randomUUID().toString();
    String url = composio.baseUrl() + "/composio/server/" + server + "?connected_account_ids=" + ca;
    stubAccount(ca, "ACTIVE", "slack", ac);
    stubMcpCreate(server, ac, "slack");
    stubGenerate(server, ca, url);

    String id =
        m.as()
            .body(Map.of("app", "slack", "integration_name", "Team Slack", "connected_account_id", ca))
            .post("/v1/connections/composio/finalize")
            .then()
            .statusCode(201)
            .body("provider", equalTo("composio"))
            .body("type", equalTo("slack"))
            .body("name", equalTo("Team Slack"))
            .body("slug", equalTo("team_slack"))
            .body("composio_mcp_id", equalTo(server))
            .body("server_url", equalTo(url))
            .body("transport_type", equalTo("http"))
            .body("integration_id", equalTo(ca))
            .body("user_id", equalTo(m.userId()))
            .body("team_id", equalTo(m.teamId()))
            .body("created_by", equalTo(m.userId()))
            .body("shared", equalTo(false))
            .body("has_headers", equalTo(false))
            .body("auth_method", nullValue())
            .body("created_at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"))
            .extract()
            .path("id");

    // What Plugboard sent, field by field.
    composio.verify(1, getRequestedFor(urlEqualTo("/api/v3/connected_accounts/" + ca)).withHeader("x-api-key", WireMock.equalTo(KEY)));
    LoggedRequest create = only(postRequestedFor(urlEqualTo("/api/v3/mcp/servers")));
    assertEquals(KEY, create.getHeader("x-api-key"));
    JsonNode createBody = readTree(create.getBodyAsString());
    assertEquals(Set.of("name", "auth_config_ids"), fieldNames(createBody));
    assertTrue(createBody.get("name").asText().matches("[A-Za-z0-9 -]{4,30}"), createBody.toString());
    assertEquals(JSON.createArrayNode().add(ac), createBody.get("auth_config_ids"));
    composio.verify(
        1,
        postRequestedFor(urlEqualTo("/api/v3/mcp/servers/generate"))
            .withHeader("x-api-key", WireMock.equalTo(KEY))
            .withRequestBody(equalToJson("{\"mcp_server_id\": \"%s\", \"connected_account_ids\": [\"%s\"]}".formatted(server, ca))));

    // Idempotent: the same account again answers the same connection without calling Composio.
    m.as()
        .body(Map.of("app", "slack", "integration_name", "Team Slack", "connected_account_id", ca))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(201)
        .body("id", equalTo(id));
    composio.verify(1, postRequestedFor(urlEqualTo("/api/v3/mcp/servers/generate")));
    m.as().get("/v1/connections?type=slack").then().statusCode(200).body("total", equalTo(1)).body("integrations[0].id", equalTo(id));
    m.as().get("/v1/connections/" + id).then().statusCode(200).body("server_url", equalTo(url));

    // Resolve: Composio's key is added for the runtime, and only there.
    given()
        .header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
        .post("/internal/v1/connections/" + id + "/resolve")
        .then()
        .statusCode(200)
        .body("server_url", equalTo(url))
        .body("transport_type", equalTo("http"))
        .body("headers.x-api-key", equalTo(KEY));
    assertFalse(m.as().get("/v1/connections/" + id + "/credentials").asString().contains(KEY));

    // Delete: the account goes away at Composio, off the request path.
    composio.stubFor(delete(urlEqualTo("/api/v3/connected_accounts/" + ca)).willReturn(okJson("{\"success\": true}")));
    m.as().delete("/v1/connections/" + id).then().statusCode(200).body("success", equalTo(true));
    m.as().get("/v1/connections/" + id).then().statusCode(404);
    Await.until(
        "the connected account deleted at Composio",
        10,
        () -> !composio.findAll(deleteRequestedFor(urlEqualTo("/api/v3/connected_accounts/" + ca)).withHeader("x-api-key", WireMock.equalTo(KEY))).isEmpty());
    // The started account went with the connection: it cannot be finalized again.
    m.as()
        .body(Map.of("app", "slack", "integration_name", "again", "connected_account_id", ca))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(404)
        .body("error", equalTo("not_found"));
  }

  @Test
  void finalizeAndDeleteSendSignedWebhookEventsAndTheAccountDeletionIsRetried() throws Exception {
    try (dev.plugboard.webhook.Receiver receiver = dev.plugboard.webhook.Receiver.start()) {
      Member m = Fixtures.newMember();
      String secret =
          Fixtures.admin().body(Map.of("url", receiver.url(), "organization_id", m.orgId())).post("/admin/v1/webhooks").then().statusCode(201).extract().path("secret");
      String ac = "ac_" + rnd();
      String ca = startOAuth(m, ac);
      String server = UUID.randomUUID().toString();
      stubAccount(ca, "ACTIVE", "slack", ac);
      stubMcpCreate(server, ac, "slack");
      stubGenerate(server, ca, composio.baseUrl() + "/composio/server/" + server + "?connected_account_ids=" + ca);
      String id =
          m.as().body(Map.of("app", "slack", "integration_name", "Hooked Slack", "connected_account_id", ca)).post("/v1/connections/composio/finalize")
              .then().statusCode(201).extract().path("id");
      Await.until("connection.created arrives", 20, () -> !receiver.ofType("connection.created").isEmpty());
      dev.plugboard.webhook.Receiver.Hit created = receiver.ofType("connection.created").get(0);
      created.verify(secret);
      assertEquals(id, created.json().at("/data/connection/id").asText());
      assertEquals("composio", created.json().at("/data/connection/provider").asText());
      assertFalse(created.body().contains(KEY), "no Composio key in an event");

      // Composio fails the first deletion: the outbox job tries again (first retry after 5 s).
      String path = "/api/v3/connected_accounts/" + ca;
      composio.stubFor(delete(urlEqualTo(path)).inScenario("flaky " + ca).whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
          .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
      composio.stubFor(delete(urlEqualTo(path)).inScenario("flaky " + ca).whenScenarioStateIs("recovered").willReturn(okJson("{\"success\": true}")));
      m.as().delete("/v1/connections/" + id).then().statusCode(200);
      Await.until("connection.deleted arrives", 20, () -> !receiver.ofType("connection.deleted").isEmpty());
      receiver.ofType("connection.deleted").get(0).verify(secret);
      Await.until("the account deletion is retried", 30, () -> composio.findAll(deleteRequestedFor(urlEqualTo(path))).size() >= 2);
      Await.until("the deletion job succeeded", 10, () -> db.count("SELECT count(*) FROM outbox_jobs WHERE kind = 'composio.delete_account' AND target = ? AND status = 'succeeded'", ca) == 1);
    }
  }

  @Test
  void oneMcpServerPerAuthConfigIsReused() {
    Member m = Fixtures.newMember();
    String ac = "ac_" + rnd();
    String server = UUID.randomUUID().toString();
    stubMcpCreate(server, ac, "googlesheets");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String ca = startOAuth(m, ac);
      stubAccount(ca, "ACTIVE", "googlesheets", ac);
      stubGenerate(server, ca, composio.baseUrl() + "/composio/server/" + server + "?connected_account_ids=" + ca);
      ids.add(
          m.as()
              .body(Map.of("app", "googlesheets", "integration_name", "Sheets " + i, "connected_account_id", ca))
              .post("/v1/connections/composio/finalize")
              .then()
              .statusCode(201)
              .body("composio_mcp_id", equalTo(server))
              .body("server_url", endsWith(ca))
              .extract()
              .path("id"));
    }
    assertFalse(ids.get(0).equals(ids.get(1)));
    composio.verify(1, postRequestedFor(urlEqualTo("/api/v3/mcp/servers")));
    composio.verify(2, postRequestedFor(urlEqualTo("/api/v3/mcp/servers/generate")));

    // The server was deleted at Composio meanwhile: a new one is made and remembered.
    String replacement = UUID.randomUUID().toString();
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers/generate"))
            .withRequestBody(matchingJsonPath("$.mcp_server_id", WireMock.equalTo(server)))
            .willReturn(errorJson(404, "MCP server not found", "MCP_ServerNotFound")));
    stubMcpCreate(replacement, ac, "googlesheets");
    String ca = startOAuth(m, ac);
    stubAccount(ca, "ACTIVE", "googlesheets", ac);
    stubGenerate(replacement, ca, composio.baseUrl() + "/composio/server/" + replacement + "?connected_account_ids=" + ca);
    m.as()
        .body(Map.of("app", "googlesheets", "integration_name", "Sheets 3", "connected_account_id", ca))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(201)
        .body("composio_mcp_id", equalTo(replacement));
  }

  @Test
  void withoutPerAccountUrlsTheBaseUrlIsBoundToTheAccount() {
    Member m = Fixtures.newMember();
    String ac = "ac_" + rnd();
    String ca = startOAuth(m, ac);
    String server = UUID.randomUUID().toString();
    stubAccount(ca, "ACTIVE", "linear", ac);
    stubMcpCreate(server, ac, "linear");
    String base = composio.baseUrl() + "/composio/server/" + server + "?include_composio_helper_actions=true";
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers/generate"))
            .willReturn(okJson("{\"mcp_url\": \"%s\", \"connected_account_urls\": [], \"user_ids_url\": []}".formatted(base))));
    m.as()
        .body(Map.of("app", "linear", "integration_name", "Linear", "connected_account_id", ca))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(201)
        .body("server_url", equalTo(base + "&connected_account_ids=" + ca));
  }

  @Test
  void onlyTheCallerWhoStartedTheAccountMayFinalizeIt() {
    Fixtures.Team team = Fixtures.org(true).team();
    Member a = team.member("member");
    Member teammate = team.member("admin");
    String ac = "ac_" + rnd();
    String ca = startOAuth(a, ac);
    stubAccount(ca, "ACTIVE", "slack", ac);

    // The same user through a key of another team.
    Fixtures.Team other = Fixtures.org(true).team();
    Fixtures.admin().body(Map.of("role", "member")).put("/admin/v1/teams/" + other.id() + "/members/" + a.userId()).then().statusCode(200);
    String otherKey =
        Fixtures.admin()
            .body(Map.of("user_id", a.userId(), "team_id", other.id(), "name", "k2"))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    Member aElsewhere = new Member(other.orgId(), other.id(), a.userId(), otherKey);

    for (Member intruder : List.of(teammate, aElsewhere, Fixtures.newMember())) {
      intruder
          .as()
          .body(Map.of("app", "slack", "integration_name", "Stolen", "connected_account_id", ca))
          .post("/v1/connections/composio/finalize")
          .then()
          .statusCode(404)
          .body("error", equalTo("not_found"));
    }
    a.as()
        .body(Map.of("app", "slack", "integration_name", "Stolen", "connected_account_id", "ca_never_started"))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(404)
        .body("error", equalTo("not_found"));
    composio.verify(0, getRequestedFor(urlPathMatching("/api/v3/connected_accounts/.*")));
  }

  @Test
  void accountMustBeActiveAndOfTheNamedToolkit() {
    Member m = Fixtures.newMember();
    String ac = "ac_" + rnd();
    String ca = startOAuth(m, ac);
    Map<String, Object> finalize = Map.of("app", "slack", "integration_name", "Slack", "connected_account_id", ca);

    for (String status : List.of("INITIATED", "INITIALIZING", "FAILED", "EXPIRED")) {
      stubAccount(ca, status, "slack", ac);
      m.as()
          .body(finalize)
          .post("/v1/connections/composio/finalize")
          .then()
          .statusCode(409)
          .body("error", equalTo("conflict"))
          .body("message", containsString(status));
    }
    stubAccount(ca, "ACTIVE", "gmail", ac);
    m.as()
        .body(finalize)
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"))
        .body("message", allOf(containsString("app"), containsString("gmail")));
    composio.verify(0, postRequestedFor(urlPathMatching("/api/v3/mcp/.*")));
    m.as().get("/v1/connections").then().body("total", equalTo(0));

    // The account gone at Composio: its 404 and message come through.
    composio.stubFor(
        get(urlEqualTo("/api/v3/connected_accounts/" + ca))
            .willReturn(errorJson(404, "Connected account \\\"" + ca + "\\\" not found", "ConnectedAccount_ResourceNotFound")));
    m.as()
        .body(finalize)
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(404)
        .body("error", equalTo("not_found"))
        .body("message", equalTo("Connected account \"" + ca + "\" not found"));
  }

  @Test
  void finalizeValidatesItsBody() {
    Member m = Fixtures.newMember();
    for (String field : List.of("app", "integration_name", "connected_account_id")) {
      Map<String, Object> body = new java.util.HashMap<>(Map.of("app", "slack", "integration_name", "Slack", "connected_account_id", "ca_1"));
      body.remove(field);
      m.as().body(body).post("/v1/connections/composio/finalize").then()
          .statusCode(400).body("error", equalTo("validation_failed")).body("message", containsString(field));
      body.put(field, "");
      m.as().body(body).post("/v1/connections/composio/finalize").then()
          .statusCode(400).body("error", equalTo("validation_failed")).body("message", containsString(field));
    }
    assertEquals(0, composio.getAllServeEvents().size());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private String startOAuth(Member m, String ac) {
    String ca = "ca_" + rnd();
    composio.stubFor(
        post(urlEqualTo("/api/v3/connected_accounts"))
            .withRequestBody(matchingJsonPath("$.auth_config.id", WireMock.equalTo(ac)))
            .willReturn(
                okJson(
                        """
                        {"id": "%s", "connectionData": {"authScheme": "OAUTH2",
                           "val": {"status": "INITIATED", "redirectUrl": "%s/consent/%s"}},
                         "status": "INITIATED", "redirect_url": "%s/consent/%s", "redirect_uri": null}
                        """
                            .formatted(ca, composio.baseUrl(), ca, composio.baseUrl(), ca))
                    .withStatus(201)));
    m.as()
        .body(Map.of("auth_config_id", ac, "callback_url", CALLBACK))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(200)
        .body("connected_account_id", equalTo(ca));
    return ca;
  }

  @Test
  void startedAccountsThatAreNeverFinalizedAreDeletedByMaintenance() {
    Member m = Fixtures.newMember();
    String abandoned = "ca_" + rnd();
    String recent = "ca_" + rnd();
    String bound = "ca_" + rnd();
    for (String ca : List.of(abandoned, recent, bound)) {
      stubCreate(201, "{\"id\": \"%s\", \"connectionData\": {\"authScheme\": \"OAUTH2\", \"val\": {\"status\": \"INITIATED\", \"redirectUrl\": \"https://consent.test/x\"}}, \"status\": \"INITIATED\"}".formatted(ca));
      m.as().body(Map.of("auth_config_id", "ac_" + rnd(), "callback_url", CALLBACK)).post("/v1/connections/composio/start").then().statusCode(200);
    }
    // Two are a day old; one of those was finalized (bound to a connection) and must stay.
    String connection = Fixtures.create(m, Fixtures.mcpConnection("bound"));
    db.update("UPDATE composio_accounts SET connection_id = ? WHERE connected_account_id = ?", UUID.fromString(connection), bound);
    db.update("UPDATE composio_accounts SET created_at = now() - interval '25 hours' WHERE connected_account_id IN (?, ?)", abandoned, bound);
    composio.stubFor(delete(urlEqualTo("/api/v3/connected_accounts/" + abandoned)).willReturn(okJson("{\"success\": true}")));

    Fixtures.admin()
        .post("/admin/v1/maintenance/run")
        .then()
        .statusCode(200)
        .body("tasks.find { it.task == 'composio.purge-unfinalized' }.error", nullValue())
        .body("tasks.find { it.task == 'composio.purge-unfinalized' }.processed", equalTo(1));

    composio.verify(1, deleteRequestedFor(urlEqualTo("/api/v3/connected_accounts/" + abandoned)).withHeader("x-api-key", WireMock.equalTo(KEY)));
    composio.verify(0, deleteRequestedFor(urlEqualTo("/api/v3/connected_accounts/" + recent)));
    composio.verify(0, deleteRequestedFor(urlEqualTo("/api/v3/connected_accounts/" + bound)));
    assertEquals(0L, db.count("SELECT count(*) FROM composio_accounts WHERE connected_account_id = ?", abandoned));
    assertEquals(2L, db.count("SELECT count(*) FROM composio_accounts WHERE connected_account_id IN (?, ?)", recent, bound));
    m.as()
        .body(Map.of("app", "slack", "integration_name", "late", "connected_account_id", abandoned))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(404);
  }

  private void stubCreate(int status, String body) {
    composio.stubFor(post(urlEqualTo("/api/v3/connected_accounts")).willReturn(okJson(body).withStatus(status)));
  }

  private void stubAccount(String ca, String status, String toolkit, String ac) {
    composio.stubFor(
        get(urlEqualTo("/api/v3/connected_accounts/" + ca))
            .willReturn(
                okJson(
                    """
                    {"id": "%s", "toolkit": {"slug": "%s"},
                     "auth_config": {"id": "%s", "auth_scheme": "OAUTH2", "is_composio_managed": true, "is_disabled": false},
                     "user_id": "u", "status": "%s", "status_reason": null, "is_disabled": false,
                     "created_at": "2026-11-27T10:00:00.000Z", "updated_at": "2026-11-27T10:00:00.000Z",
                     "state": {"authScheme": "OAUTH2", "val": {"status": "%s", "access_token": "sk-live-token"}},
                     "data": {}, "params": {}, "test_request_endpoint": "",
                     "deprecated": {"labels": [], "uuid": "%s"}}
                    """
                        .formatted(ca, toolkit, ac, status, status, UUID.randomUUID()))));
  }

  private void stubMcpCreate(String server, String ac, String toolkit) {
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers"))
            .withRequestBody(matchingJsonPath("$.auth_config_ids[0]", WireMock.equalTo(ac)))
            .willReturn(
                okJson(
                        """
                        {"id": "%s", "name": "n", "auth_config_ids": ["%s"], "allowed_tools": [],
                         "mcp_url": "%s/composio/server/%s", "toolkits": ["%s"], "toolkit_icons": {},
                         "commands": {"cursor": "", "claude": "", "windsurf": ""},
                         "created_at": "2026-11-27T10:00:00.000Z", "updated_at": "2026-11-27T10:00:00.000Z",
                         "server_instance_count": 0, "managed_auth_via_composio": false}
                        """
                            .formatted(server, ac, composio.baseUrl(), server, toolkit))
                    .withStatus(201)));
  }

  private void stubGenerate(String server, String ca, String url) {
    composio.stubFor(
        post(urlEqualTo("/api/v3/mcp/servers/generate"))
            .withRequestBody(matchingJsonPath("$.connected_account_ids[0]", WireMock.equalTo(ca)))
            .withRequestBody(matchingJsonPath("$.mcp_server_id", WireMock.equalTo(server)))
            .willReturn(
                okJson(
                    """
                    {"mcp_url": "%s/composio/server/%s", "connected_account_urls": ["%s"], "user_ids_url": []}
                    """
                        .formatted(composio.baseUrl(), server, url))));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder okJson(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder errorJson(int status, String message, String slug) {
    return okJson(
            "{\"error\": {\"message\": \"%s\", \"code\": 606, \"status\": %d, \"slug\": \"%s\", \"request_id\": \"r\"}}"
                .formatted(message, status, slug))
        .withStatus(status);
  }

  private LoggedRequest only(com.github.tomakehurst.wiremock.matching.RequestPatternBuilder pattern) {
    List<LoggedRequest> found = composio.findAll(pattern);
    assertEquals(1, found.size());
    return found.get(0);
  }

  private static io.restassured.specification.RequestSpecification given() {
    return io.restassured.RestAssured.given();
  }

  private static JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> names = new java.util.HashSet<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Object nullValueJson() {
    return JSON.nullNode();
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String rnd() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

}
