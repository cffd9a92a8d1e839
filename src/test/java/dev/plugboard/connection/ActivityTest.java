package dev.plugboard.connection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.Fixtures.Team;
import dev.plugboard.tenancy.Caller;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** DESIGN §12: the audit trail of credential use, its readers, its retention and its metric. */
@QuarkusTest
class ActivityTest {

  private static final String SECRET = "sk_live_activity_secret_value";

  @Inject Db db;
  @Inject ActivityLog activity;

  private static String withSecret(Member m, String name) {
    return Fixtures.create(
        m,
        Map.of(
            "name", name,
            "server_url", "https://mcp.example.test/mcp",
            "provider", "user",
            "auth_method", "apikey",
            "headers", Map.of("secret", Map.of("Authorization", "Bearer " + SECRET))));
  }

  private static Response resolve(String id) {
    return given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve");
  }

  private static double metric(String kind, String outcome) {
    String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m =
        Pattern.compile(
                "(?m)^plugboard_connection_activity_total\\{(?=[^}]*kind=\"" + kind + "\")(?=[^}]*outcome=\"" + outcome + "\")[^}]*} ([0-9.eE+]+)$")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void everyResolveIsRecordedWithoutValuesAndCounted() {
    Member m = Fixtures.newMember();
    String id = withSecret(m, "audited");
    double before = metric("resolve", "ok");
    resolve(id).then().statusCode(200).body("headers.Authorization", equalTo("Bearer " + SECRET));
    resolve(id).then().statusCode(200);

    m.as().get("/v1/connections/" + id + "/activity").then().statusCode(200)
        .body("total", equalTo(2)).body("limit", equalTo(50)).body("offset", equalTo(0))
        .body("items", hasSize(2))
        .body("items[0].kind", equalTo("resolve"))
        .body("items[0].outcome", equalTo("ok"))
        .body("items[0].tool", nullValue())
        .body("items[0].upstream_status", nullValue())
        .body("items[0].api_key_id", nullValue())
        .body("items[0].user_id", nullValue())
        .body("items[0].connection_id", equalTo(id))
        .body("items[0].team_id", equalTo(m.teamId()))
        .body("items[0].duration_ms", greaterThanOrEqualTo(0))
        .body("items[0].at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"))
        .body(not(containsString(SECRET)));
    assertEquals(before + 2, metric("resolve", "ok"));
    // an unknown connection is no credential use: nothing to file it under
    long rows = db.count("SELECT count(*) FROM connection_activity");
    resolve(UUID.randomUUID().toString()).then().statusCode(404);
    assertEquals(rows, db.count("SELECT count(*) FROM connection_activity"));
  }

  @Test
  void aFailedResolutionIsRecordedAsAnError() {
    Member m = Fixtures.newMember();
    String id = withSecret(m, "undecryptable");
    // a value under a key id this replica does not know cannot be decrypted
    db.update("UPDATE connection_headers SET value = 'nokey:AAAA' WHERE connection_id = ?", UUID.fromString(id));
    double before = metric("resolve", "error");
    Response r = resolve(id);
    assertTrue(r.statusCode() >= 500, r.asString());
    m.as().get("/v1/connections/" + id + "/activity").then().statusCode(200)
        .body("total", equalTo(1)).body("items[0].outcome", equalTo("error"));
    assertEquals(before + 1, metric("resolve", "error"));
    // the planted value would otherwise trouble key rotation in later tests
    m.as().delete("/v1/connections/" + id).then().statusCode(200);
  }

  @Test
  void secretsAreNotHandedOutWhenTheirUseCannotBeRecorded() {
    Member m = Fixtures.newMember();
    String id = withSecret(m, "unrecordable");
    db.update("ALTER TABLE connection_activity ADD CONSTRAINT activity_test_refuse CHECK (connection_id <> '" + id + "') NOT VALID");
    try {
      Response r = resolve(id);
      assertTrue(r.statusCode() >= 500, r.asString());
      assertEquals(java.util.Set.of("error", "message"), r.jsonPath().getMap("$").keySet());
      assertFalse(r.asString().contains(SECRET));
    } finally {
      db.update("ALTER TABLE connection_activity DROP CONSTRAINT activity_test_refuse");
    }
    resolve(id).then().statusCode(200);
  }

  @Test
  void theGatewayRecorderStoresToolCallsAndPagesNewestFirst() {
    Member m = Fixtures.newMember();
    String id = withSecret(m, "paged");
    UUID keyId = (UUID) db.query("SELECT id FROM api_keys WHERE user_id = ?", UUID.fromString(m.userId())).get(0).get(0);
    Caller caller = new Caller(keyId, UUID.fromString(m.userId()), UUID.fromString(m.teamId()), UUID.fromString(m.orgId()), "member", true);
    double refused = metric("tools_call", "refused");
    activity.record(caller, UUID.fromString(id), Activity.Kind.TOOLS_CALL, "search", Activity.Outcome.OK, 200, 12);
    activity.record(caller, UUID.fromString(id), Activity.Kind.TOOLS_CALL, "delete_all", Activity.Outcome.REFUSED, null, 0);
    activity.record(caller, UUID.fromString(id), Activity.Kind.TOOLS_CALL, "x".repeat(1000), Activity.Outcome.ERROR, 502, 30);
    resolve(id).then().statusCode(200);
    assertEquals(refused + 1, metric("tools_call", "refused"));

    String path = "/v1/connections/" + id + "/activity";
    m.as().queryParam("limit", 2).get(path).then().statusCode(200)
        .body("total", equalTo(4)).body("limit", equalTo(2))
        .body("items.kind", equalTo(List.of("resolve", "tools_call")))
        .body("items[1].tool", hasLength(ActivityLog.MAX_TOOL))
        .body("items[1].upstream_status", equalTo(502))
        .body("items[1].api_key_id", equalTo(keyId.toString()))
        .body("items[1].user_id", equalTo(m.userId()));
    m.as().queryParam("limit", 2).queryParam("offset", 2).get(path).then().statusCode(200)
        .body("total", equalTo(4)).body("offset", equalTo(2))
        .body("items.tool", equalTo(List.of("delete_all", "search")))
        .body("items.outcome", equalTo(List.of("refused", "ok")))
        .body("items.upstream_status", equalTo(java.util.Arrays.asList(null, 200)))
        .body("items.duration_ms", equalTo(List.of(0, 12)));
    m.as().queryParam("offset", 10).get(path).then().statusCode(200).body("total", equalTo(4)).body("items", empty());
    List<String> at = m.as().get(path).then().extract().path("items.at");
    for (int i = 1; i < at.size(); i++) {
      assertTrue(at.get(i - 1).compareTo(at.get(i)) >= 0, "newest first: " + at);
    }
    for (String bad : List.of("limit=0", "limit=101", "offset=-1", "limit=x", "limit=1&limit=2")) {
      m.as().get(path + "?" + bad).then().statusCode(400).body("error", equalTo("validation_failed"));
    }
  }

  @Test
  void readableByWhoeverMayChangeTheConnection() {
    Team team = Fixtures.org(true).team();
    Member owner = team.member();
    Member teammate = team.member();
    Member admin = team.member("admin");
    String personal = withSecret(owner, "personal");
    String shared = withSecret(owner, "shared");
    owner.as().body(Map.of("shared", true)).patch("/v1/connections/" + shared).then().statusCode(200);
    resolve(shared).then().statusCode(200);

    teammate.as().get("/v1/connections/" + personal + "/activity").then().statusCode(404).body("error", equalTo("not_found"));
    admin.as().get("/v1/connections/" + personal + "/activity").then().statusCode(404);
    teammate.as().get("/v1/connections/" + shared + "/activity").then().statusCode(403).body("error", equalTo("forbidden"));
    admin.as().get("/v1/connections/" + shared + "/activity").then().statusCode(200).body("total", equalTo(1));
    owner.as().get("/v1/connections/" + shared + "/activity").then().statusCode(200).body("total", equalTo(1));
    Fixtures.newMember().as().get("/v1/connections/" + shared + "/activity").then().statusCode(404);
    owner.as().get("/v1/connections/not-a-uuid/activity").then().statusCode(400).body("error", equalTo("validation_failed"));
  }

  @Test
  void operatorsReadEveryTeamsTrailAndItOutlivesTheConnection() {
    Member m = Fixtures.newMember();
    Member other = Fixtures.newMember();
    String a = withSecret(m, "a");
    String b = withSecret(m, "b");
    String c = withSecret(other, "c");
    resolve(a).then().statusCode(200);
    resolve(b).then().statusCode(200);
    resolve(b).then().statusCode(200);
    resolve(c).then().statusCode(200);

    Fixtures.admin().queryParam("team_id", m.teamId()).get("/admin/v1/activity").then().statusCode(200)
        .body("total", equalTo(3)).body("items.connection_id", everyItem(in(List.of(a, b))));
    Fixtures.admin().queryParam("team_id", m.teamId()).queryParam("connection_id", b).queryParam("limit", 1)
        .get("/admin/v1/activity").then().statusCode(200)
        .body("total", equalTo(2)).body("items", hasSize(1)).body("items[0].connection_id", equalTo(b));
    Fixtures.admin().get("/admin/v1/activity").then().statusCode(200).body("total", greaterThanOrEqualTo(4));
    Fixtures.admin().queryParam("team_id", "nope").get("/admin/v1/activity").then().statusCode(400)
        .body("error", equalTo("validation_failed"));
    m.as().get("/admin/v1/activity").then().statusCode(401).body("error", equalTo("invalid_token"));

    m.as().delete("/v1/connections/" + b).then().statusCode(200);
    m.as().get("/v1/connections/" + b + "/activity").then().statusCode(404);
    Fixtures.admin().queryParam("connection_id", b).get("/admin/v1/activity").then().statusCode(200).body("total", equalTo(2));
  }

  @Test
  void maintenancePurgesActivityPastRetention() {
    Member m = Fixtures.newMember();
    String id = withSecret(m, "old");
    resolve(id).then().statusCode(200);
    resolve(id).then().statusCode(200);
    db.update(
        "UPDATE connection_activity SET at = now() - interval '31 days' WHERE id = (SELECT min(id) FROM connection_activity WHERE connection_id = ?)",
        UUID.fromString(id));

    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200)
        .body("tasks.find { it.task == 'connection.activity-purge' }.processed", greaterThanOrEqualTo(1))
        .body("tasks.find { it.task == 'connection.activity-purge' }.error", nullValue());
    m.as().get("/v1/connections/" + id + "/activity").then().statusCode(200).body("total", equalTo(1));
  }
}
