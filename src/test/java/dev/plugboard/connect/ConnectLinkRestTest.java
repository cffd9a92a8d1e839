package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.CallerLookup;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code /v1/connect/links} and the page: validation, lifecycle, waiting, races, who may see what. */
@QuarkusTest
@QuarkusTestResource(value = ConnectPeers.class, restrictToAnnotatedClass = true)
class ConnectLinkRestTest {

  @Inject Db db;
  @Inject ConnectLinks links;
  @Inject CallerLookup callers;

  static Map<String, Object> secretsLink(Member m) {
    return make(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "Tracker", "secret_headers", List.of("Authorization")));
  }

  static void rejected(Member m, Map<String, Object> body, int status, String error, String messageStart) {
    m.as().body(body).post("/v1/connect/links").then().statusCode(status)
        .body("error", equalTo(error))
        .body("message", startsWith(messageStart));
  }

  @Test
  void validationAsTheDesignSays() {
    Member m = Fixtures.newMember();
    rejected(m, Map.of("return_url", "http://app.localhost/x"), 400, "validation_failed", "provider");
    rejected(m, Map.of("provider", "gmail", "mcp_server_url", "https://mcp.example.test/mcp", "name", "x"), 400, "validation_failed", "provider, mcp_server_url");
    rejected(m, Map.of("provider", "gmail", "expires_in", 59), 400, "validation_failed", "expires_in");
    rejected(m, Map.of("provider", "gmail", "expires_in", 86_401), 400, "validation_failed", "expires_in");
    rejected(m, Map.of("provider", "nosuch"), 404, "not_found", "OAuth provider");
    rejected(m, Map.of("provider", "outlook"), 404, "not_found", "OAuth provider"); // built in, no client id
    rejected(m, Map.of("mcp_server_url", "ftp://mcp.example.test/mcp", "name", "x"), 400, "validation_failed", "mcp_server_url");
    rejected(m, Map.of("mcp_server_url", "https://mcp.example.test/mcp"), 400, "validation_failed", "name");
    rejected(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "x"), 400, "validation_failed", "secret_headers");
    rejected(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "x", "secret_headers", List.of("bad header")), 400, "validation_failed", "headers.secret");
    rejected(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "x", "secret_headers", List.of("A", "A")), 400, "validation_failed", "secret_headers");
    rejected(m, Map.of("composio_auth_config_id", "ac_1", "name", "x"), 400, "validation_failed", "app");
    rejected(m, Map.of("connection_id", UUID.randomUUID().toString()), 404, "not_found", "connection");
    rejected(m, Map.of("connection_id", "nope"), 400, "invalid_request", "");
    m.as().body(Map.of("provider", 5)).post("/v1/connect/links").then().statusCode(400).body("error", equalTo("invalid_request"));
    m.as().body("").post("/v1/connect/links").then().statusCode(400).body("error", equalTo("invalid_request"));

    Map<String, Object> link = make(m, Map.of("provider", "gmail", "expires_in", 60));
    assertEquals("native", link.get("kind"));
    assertEquals("gmail", link.get("provider"));
    Map<String, Object> composio = make(m, Map.of("composio_auth_config_id", "ac_1", "app", "slack", "name", "Slack"));
    assertEquals("composio", composio.get("kind"));
    assertEquals("Slack", composio.get("name"));
  }

  @Test
  void urlIsAnOpaqueTokenOfAtLeast256Bits() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail"));
    String url = (String) link.get("url");
    assertTrue(url.startsWith(ConnectPeers.base + "/connect/"), url);
    String token = url.substring(url.lastIndexOf('/') + 1);
    assertTrue(token.matches("[A-Za-z0-9_-]{43,}"), token);
    assertFalse(url.contains(m.userId()) || url.contains((String) link.get("id")) || url.contains("?"));
    assertEquals(0L, db.count("SELECT count(*) FROM connect_links WHERE row_to_json(connect_links)::text LIKE ?", "%" + token + "%"));
    assertEquals(1L, db.count("SELECT count(*) FROM connect_links WHERE token_hash = sha256(convert_to(?, 'UTF8'))", token));
    m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200).body("url", equalTo(url));
  }

  @Test
  void returnUrlRefusesOpenRedirects() {
    Member m = Fixtures.newMember();
    for (String bad :
        List.of(
            "https://evil.example/steal",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "http://app.localhost@evil.example/",
            "https://evil.example\\@app.localhost/",
            "http://app.localhost.evil.example/",
            "data:text/html,hi",
            "/ok\r\nLocation: http://evil.example")) {
      rejected(m, Map.of("provider", "gmail", "return_url", bad), 400, "validation_failed", "return_url");
    }
    Map<String, Object> ok = make(m, Map.of("provider", "gmail", "return_url", "http://app.localhost/done?tab=2"));
    assertEquals("http://app.localhost/done?tab=2", ok.get("return_url"));
  }

  @Test
  void lifecycleListAndCancel() {
    Member m = Fixtures.newMember();
    Map<String, Object> a = make(m, Map.of("provider", "gmail"));
    Map<String, Object> b = secretsLink(m);
    m.as().get("/v1/connect/links").then().statusCode(200)
        .body("total", equalTo(2))
        .body("items.id", contains(b.get("id"), a.get("id")))
        .body("limit", equalTo(100))
        .body("offset", equalTo(0));
    m.as().get("/v1/connect/links?limit=1&offset=1").then().statusCode(200).body("items.id", contains(a.get("id")));
    m.as().get("/v1/connect/links?limit=0").then().statusCode(400).body("error", equalTo("validation_failed"));
    m.as().get("/v1/connect/links?status=bogus").then().statusCode(400).body("message", startsWith("status"));

    m.as().delete("/v1/connect/links/" + a.get("id")).then().statusCode(200).body("status", equalTo("cancelled")).body("url", nullValue());
    m.as().delete("/v1/connect/links/" + a.get("id")).then().statusCode(409).body("error", equalTo("conflict"));
    given().get(path(a)).then().statusCode(410).body(not(containsString("Gmail")));
    m.as().get("/v1/connect/links?status=cancelled").then().body("items.id", contains(a.get("id")));
    m.as().get("/v1/connect/links?status=pending").then().body("items.id", contains(b.get("id")));
    m.as().get("/v1/connect/links/not-a-uuid").then().statusCode(400);
  }

  @Test
  void anotherUsersKeySeesNothing() {
    Member owner = Fixtures.newMember();
    Member teammate = Fixtures.org(true).team().member("admin");
    Map<String, Object> link = make(owner, Map.of("provider", "gmail"));
    String id = (String) link.get("id");
    teammate.as().get("/v1/connect/links/" + id).then().statusCode(404).body("error", equalTo("not_found"));
    teammate.as().delete("/v1/connect/links/" + id).then().statusCode(404);
    teammate.as().get("/v1/connect/links").then().body("total", equalTo(0));
    // Another user of the same team, even an admin: also nothing.
    Member sameTeamOther = new Fixtures.Team(owner.orgId(), owner.teamId()).member("admin");
    sameTeamOther.as().get("/v1/connect/links/" + id + "?wait=1").then().statusCode(404);
    owner.as().get("/v1/connect/links/" + id).then().statusCode(200);
  }

  @Test
  void pageAnswers404ForUnknownAnd410WhenUsedShowingNothing() {
    given().get("/connect/" + "A".repeat(43)).then().statusCode(404).contentType(containsString("text/html"))
        .header("Cache-Control", "no-store");
    given().get("/connect/short").then().statusCode(404);
    Member m = Fixtures.newMember();
    Map<String, Object> link = secretsLink(m);
    String path = path(link);
    Opened opened = open(path);
    assertTrue(opened.page().asString().contains("@example.test"), "shows the creator's e-mail");
    assertEquals(200, press(path, opened, "continue", Map.of("secret.Authorization", "k")).statusCode());
    Response gone = given().get(path);
    assertEquals(410, gone.statusCode());
    assertFalse(gone.asString().contains("Tracker"), "a used link shows nothing about itself");
    assertEquals(410, press(path, opened, "continue", Map.of("secret.Authorization", "k")).statusCode());
  }

  @Test
  void aFormWithoutTheCookieOrFieldIsRefusedAndTheLinkStays() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = secretsLink(m);
    String path = path(link);
    Opened opened = open(path);
    assertEquals(400, press(path, new Opened(opened.page(), null, opened.csrf()), "continue", Map.of("secret.Authorization", "k")).statusCode());
    assertEquals(400, press(path, new Opened(opened.page(), opened.cookie(), "A".repeat(43)), "continue", Map.of("secret.Authorization", "k")).statusCode());
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("pending"));
    String cookie = opened.page().header("Set-Cookie");
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/connect"), cookie);
  }

  @Test
  void cancelOnThePageEndsTheLinkAndReturnsWithTheOutcome() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail", "return_url", "http://app.localhost/back"));
    String path = path(link);
    Response r = press(path, open(path), "cancel", Map.of());
    assertEquals(303, r.statusCode());
    Map<String, String> q = query(r.header("Location"));
    assertEquals(Map.of("connect_link_id", link.get("id"), "status", "cancelled"), q);
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("cancelled")).body("completed_at", notNullValue());
  }

  @Test
  void ofTwoConcurrentContinuesExactlyOneWins() throws Exception {
    Member m = Fixtures.newMember();
    for (int round = 0; round < 3; round++) {
      Map<String, Object> link = secretsLink(m);
      String path = path(link);
      Opened opened = open(path);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> presses = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String value = "secret-" + i;
        presses.add(pool.submit(() -> {
          go.await();
          return press(path, opened, "continue", Map.of("secret.Authorization", value)).statusCode();
        }));
      }
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : presses) {
        statuses.add(f.get(60, TimeUnit.SECONDS));
      }
      pool.shutdown();
      statuses.sort(null);
      assertEquals(List.of(200, 410), statuses);
      assertEquals(1L, db.count("SELECT count(*) FROM connections WHERE team_id = ?::uuid AND name = 'Tracker' AND created_at >= (SELECT created_at FROM connect_links WHERE id = ?::uuid)", m.teamId(), link.get("id")));
    }
  }

  @Test
  void longPollAnswersAsSoonAsTheLinkCompletes() throws Exception {
    Member m = Fixtures.newMember();
    Map<String, Object> link = secretsLink(m);
    String id = (String) link.get("id");
    m.as().get("/v1/connect/links/" + id + "?wait=61").then().statusCode(400).body("message", startsWith("wait"));
    m.as().get("/v1/connect/links/" + id + "?wait=0").then().statusCode(200).body("status", equalTo("pending"));

    CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> m.as().get("/v1/connect/links/" + id + "?wait=60"));
    String path = path(link);
    Opened opened = open(path);
    assertEquals(200, press(path, opened, "continue", Map.of("secret.Authorization", "k")).statusCode());
    Response answer = waiting.get(55, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode());
    assertEquals("completed", answer.path("status"));
    assertNotNull(answer.path("connection_id"));
    assertNotNull(answer.header("X-RateLimit-Limit"), "the gate's headers also on an answer that waited");
  }

  @Test
  void longPollEndsAfterWaitWhenNothingHappens() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail"));
    m.as().get("/v1/connect/links/" + link.get("id") + "?wait=1").then().statusCode(200).body("status", equalTo("pending"));
  }

  @Test
  void expiredLinksAnswer410AndMaintenanceMarksThem() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = secretsLink(m);
    db.update("UPDATE connect_links SET expires_at = now() - interval '1 second' WHERE id = ?::uuid", link.get("id"));
    given().get(path(link)).then().statusCode(410);
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("pending"));
    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200)
        .body("tasks.find { it.task == 'connect.links-expire' }.processed", greaterThanOrEqualTo(1))
        .body("tasks.find { it.task == 'connect.links-expire' }.error", nullValue());
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("expired")).body("url", nullValue());
    m.as().delete("/v1/connect/links/" + link.get("id")).then().statusCode(409);

    db.update("UPDATE connect_links SET completed_at = now() - interval '31 days' WHERE id = ?::uuid", link.get("id"));
    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200)
        .body("tasks.find { it.task == 'connect.links-purge' }.processed", greaterThanOrEqualTo(1));
    m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(404);
  }

  @Test
  void reconnectOfACustomConnectionKeepsIdSlugAndAllowedTools() {
    Member m = Fixtures.newMember();
    Map<String, Object> body = new HashMap<>(Fixtures.mcpConnection("Search Engine"));
    body.put("auth_method", "headers");
    body.put("headers", Map.of("plaintext", Map.of("X-Region", "eu"), "secret", Map.of("Authorization", "Bearer old")));
    body.put("allowed_tools", List.of("search"));
    String id = Fixtures.create(m, body);
    db.update("UPDATE connections SET broken_at = now(), broken_reason = 'upstream_unauthorized' WHERE id = ?::uuid", id);
    String slug = m.as().get("/v1/connections/" + id).then().extract().path("slug");

    Map<String, Object> link = make(m, Map.of("connection_id", id));
    assertEquals("reconnect", link.get("kind"));
    assertEquals(id, link.get("connection_id"));
    String path = path(link);
    Opened opened = open(path);
    assertTrue(opened.page().asString().contains("name=\"secret.Authorization\""));
    assertFalse(opened.page().asString().contains("secret.X-Region"), "plaintext headers are not asked again");
    assertEquals(200, press(path, opened, "continue", Map.of("secret.Authorization", "Bearer new")).statusCode());

    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("completed")).body("connection_id", equalTo(id));
    m.as().get("/v1/connections/" + id).then().statusCode(200)
        .body("slug", equalTo(slug))
        .body("allowed_tools", contains("search"))
        .body("broken_at", nullValue())
        .body("broken_reason", nullValue());
    Map<String, Object> resolved =
        given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
            .then().statusCode(200).extract().path("headers");
    assertEquals("Bearer new", resolved.get("Authorization"));
    assertEquals("eu", resolved.get("X-Region"));
  }

  @Test
  void reconnectOfANativeConnectionRepairsItInPlace() {
    Member m = Fixtures.newMember();
    Map<String, Object> first = make(m, Map.of("provider", "gmail", "name", "Work mail"));
    String path = path(first);
    Response back = consentAndReturn(press(path, open(path), "continue", Map.of()).header("Location"));
    assertEquals(200, back.statusCode(), back.asString());
    assertTrue(back.asString().contains("Work mail is connected"), back.asString());
    String id = m.as().get("/v1/connect/links/" + first.get("id")).then().extract().path("connection_id");
    m.as().body(Map.of("allowed_tools", List.of("send"))).patch("/v1/connections/" + id).then().statusCode(200);
    db.update("UPDATE connections SET broken_at = now(), broken_reason = 'invalid_grant' WHERE id = ?::uuid", id);
    String slug = m.as().get("/v1/connections/" + id).then().extract().path("slug");

    Map<String, Object> link = make(m, Map.of("connection_id", id, "return_url", "http://app.localhost/r"));
    String rpath = path(link);
    Response done = consentAndReturn(press(rpath, open(rpath), "continue", Map.of()).header("Location"));
    Map<String, String> q = query(done.header("Location"));
    assertEquals("completed", q.get("status"));
    assertEquals(id, q.get("connection_id"));
    m.as().get("/v1/connections/" + id).then()
        .body("slug", equalTo(slug))
        .body("name", equalTo("Work mail"))
        .body("allowed_tools", contains("send"))
        .body("broken_at", nullValue())
        .body("has_oauth_tokens", equalTo(true));
    assertEquals(1L, db.count("SELECT count(*) FROM connections WHERE team_id = ?::uuid", m.teamId()));
  }

  @Test
  void reconnectNeedsAConnectionTheKeyMayPatch() {
    Fixtures.Team team = Fixtures.org(true).team();
    Member creator = team.member("member");
    Member other = team.member("member");
    String id = Fixtures.create(creator, Fixtures.mcpConnection("Shared"));
    creator.as().body(Map.of("shared", true)).patch("/v1/connections/" + id).then().statusCode(200);
    rejected(other, Map.of("connection_id", id), 403, "forbidden", "");
    rejected(Fixtures.newMember(), Map.of("connection_id", id), 404, "not_found", "connection");
    rejected(creator, Map.of("connection_id", id), 400, "validation_failed", "connection_id"); // url auth: no secrets to type
  }

  @Test
  void theGatewayInterfaceReusesThePendingReconnectLink() {
    Member m = Fixtures.newMember();
    Map<String, Object> body = new HashMap<>(Fixtures.mcpConnection("Tracker"));
    body.put("auth_method", "apikey");
    body.put("headers", Map.of("secret", Map.of("X-Api-Key", "old")));
    String id = Fixtures.create(m, body);
    Caller caller = callers.find(m.key()).orElseThrow();
    ConnectLinkView first = links.reconnect(caller, UUID.fromString(id));
    ConnectLinkView again = links.reconnect(caller, UUID.fromString(id));
    assertEquals(first.id(), again.id());
    assertEquals(first.url(), again.url());
    assertEquals("reconnect", first.kind());
    m.as().delete("/v1/connect/links/" + first.id()).then().statusCode(200);
    assertNotEquals(first.id(), links.reconnect(caller, UUID.fromString(id)).id());
  }

  @Test
  void idempotencyKeyReplaysTheCreatedLink() {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    String first = m.as().header("Idempotency-Key", key).body(Map.of("provider", "gmail")).post("/v1/connect/links").then().statusCode(201).extract().path("id");
    m.as().header("Idempotency-Key", key).body(Map.of("provider", "gmail")).post("/v1/connect/links").then().statusCode(201)
        .header("Idempotent-Replayed", "true").body("id", equalTo(first));
    m.as().header("Idempotency-Key", key).body(Map.of("provider", "gmail", "expires_in", 120)).post("/v1/connect/links").then().statusCode(422);
    m.as().get("/v1/connect/links").then().body("total", equalTo(1));
  }

  @Test
  void theTokenAppearsInNoLogLine() throws Exception {
    Member m = Fixtures.newMember();
    Map<String, Object> link = secretsLink(m);
    String url = (String) link.get("url");
    String token = url.substring(url.lastIndexOf('/') + 1);
    String path = path(link);
    assertEquals(200, press(path, open(path), "continue", Map.of("secret.Authorization", "Bearer typed-secret-value")).statusCode());
    given().get(path).then().statusCode(410);
    Path log = Path.of("target/plugboard-test.log");
    Await.until("the access log names the page", 20, () -> read(log).contains("/connect/[REDACTED]"));
    String all = read(log);
    assertFalse(all.contains(token), "the token is in the log");
    assertFalse(all.contains("typed-secret-value"), "a typed secret is in the log");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return "";
    }
  }
}
