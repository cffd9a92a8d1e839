package dev.plugboard.webhook;

import static dev.plugboard.support.Fixtures.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end (DESIGN §14): the admin API, every connection event of the REST paths arriving
 * signed (checked with the official Standard Webhooks library), retries with the same webhook-id,
 * 410, a receiver that is down and comes back, rotation with two signatures, and no event for a change
 * that rolled back. Each test subscribes an endpoint to its own organization only.
 */
@QuarkusTest
class WebhooksTest {

  static final String SECRET_HEADER_VALUE = "Bearer sk-webhook-test-secret-value";

  @Inject Db db;

  Receiver receiver;
  Member member;

  @BeforeEach
  void start() throws Exception {
    receiver = Receiver.start();
    member = Fixtures.newMember();
  }

  @AfterEach
  void stop() throws Exception {
    receiver.close();
  }

  record Endpoint(String id, String secret) {}

  Endpoint subscribe(Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(Map.of("url", receiver.url(), "organization_id", member.orgId()));
    body.putAll(extra);
    JsonPath created = admin().body(body).post("/admin/v1/webhooks").then().statusCode(201).extract().jsonPath();
    return new Endpoint(created.getString("id"), created.getString("secret"));
  }

  String createConnection(String name) {
    return Fixtures.create(
        member,
        Map.of(
            "name", name,
            "server_url", "https://mcp.example.test/mcp",
            "provider", "user",
            "auth_method", "apikey",
            "headers", Map.of("secret", Map.of("Authorization", SECRET_HEADER_VALUE))));
  }

  Receiver.Hit awaitOne(String type) {
    Await.until(type + " arrives", 20, () -> !receiver.ofType(type).isEmpty());
    return receiver.ofType(type).get(0);
  }

  /** The first attempt's outcome is stored (attempts count from the claim, before the answer). */
  boolean firstOutcomeStored(Endpoint e) {
    JsonPath log = deliveries(e, "");
    return log.getInt("items[0].attempts") == 1 && (log.get("items[0].last_status_code") != null || log.get("items[0].last_error") != null);
  }

  JsonPath deliveries(Endpoint e, String query) {
    return admin().get("/admin/v1/webhooks/" + e.id() + "/deliveries" + query).then().statusCode(200).extract().jsonPath();
  }

  @Test
  void adminApiManagesEndpointsAndShowsTheSecretOnlyOnce() {
    Endpoint e = subscribe(Map.of("events", List.of("connection.created"), "description", "ops"));
    assertTrue(e.secret().startsWith("whsec_"), "a whsec_ secret");
    assertEquals(32, java.util.Base64.getDecoder().decode(e.secret().substring(6)).length);
    // stored encrypted, never shown again
    Object stored = db.query("SELECT secret FROM webhook_endpoints WHERE id = ?::uuid", e.id()).get(0).get(0);
    assertFalse(stored.toString().contains(e.secret().substring(6)), "the secret is stored encrypted");
    admin().get("/admin/v1/webhooks/" + e.id()).then().statusCode(200)
        .body("url", equalTo(receiver.url()))
        .body("events", equalTo(List.of("connection.created")))
        .body("organization_id", equalTo(member.orgId()))
        .body("enabled", equalTo(true))
        .body("$", not(org.hamcrest.Matchers.hasKey("secret")));
    admin().get("/admin/v1/webhooks?organization_id=" + member.orgId()).then().statusCode(200)
        .body("items.id", equalTo(List.of(e.id())))
        .body(not(containsString(e.secret())));
    admin().body(Map.of("events", List.of("connection.deleted", "connection.updated"), "description", "changed")).patch("/admin/v1/webhooks/" + e.id())
        .then().statusCode(200).body("events", equalTo(List.of("connection.deleted", "connection.updated"))).body("description", equalTo("changed"));
    admin().body("{\"events\": null}").patch("/admin/v1/webhooks/" + e.id()).then().statusCode(200).body("events", nullValue());
    admin().body(Map.of("enabled", false)).patch("/admin/v1/webhooks/" + e.id()).then().statusCode(200).body("enabled", equalTo(false));

    admin().body(Map.of("url", "ftp://example.test/x")).post("/admin/v1/webhooks").then().statusCode(400)
        .body("error", equalTo("validation_failed")).body("message", startsWith("url"));
    admin().body(Map.of("url", "https://example.test/x", "events", List.of("connection.exploded"))).post("/admin/v1/webhooks").then().statusCode(400)
        .body("error", equalTo("validation_failed")).body("message", startsWith("events"));
    admin().body(Map.of("url", "https://example.test/x", "organization_id", java.util.UUID.randomUUID().toString())).post("/admin/v1/webhooks").then().statusCode(400)
        .body("error", equalTo("validation_failed"));
    given().get("/admin/v1/webhooks").then().statusCode(401).body("error", equalTo("invalid_token"));

    admin().delete("/admin/v1/webhooks/" + e.id()).then().statusCode(204);
    admin().get("/admin/v1/webhooks/" + e.id()).then().statusCode(404).body("error", equalTo("not_found"));
  }

  @Test
  void everyRestPathOfAConnectionSendsItsEventSigned() {
    Endpoint e = subscribe(Map.of());
    String id = createConnection("Linear");
    Receiver.Hit created = awaitOne("connection.created");
    created.verify(e.secret());
    JsonNode body = created.json();
    assertEquals(id, body.at("/data/connection/id").asText());
    assertEquals(member.orgId(), body.at("/data/organization_id").asText());
    assertEquals(member.teamId(), body.at("/data/team_id").asText());
    assertTrue(body.at("/data/connection/has_headers").asBoolean());
    assertFalse(body.path("timestamp").asText().isEmpty());
    assertTrue(created.id().startsWith("msg_"));
    assertEquals("application/json", created.contentType());
    assertTrue(created.userAgent().startsWith("Plugboard-Webhooks/"), created.userAgent());

    member.as().body(Map.of("name", "Linear (work)")).patch("/v1/connections/" + id).then().statusCode(200);
    Receiver.Hit updated = awaitOne("connection.updated");
    updated.verify(e.secret());
    assertEquals("Linear (work)", updated.json().at("/data/connection/name").asText());

    member.as().delete("/v1/connections/" + id).then().statusCode(200);
    Receiver.Hit deleted = awaitOne("connection.deleted");
    deleted.verify(e.secret());
    assertEquals("Linear (work)", deleted.json().at("/data/connection/name").asText(), "the last state");

    for (Receiver.Hit h : receiver.hits) {
      assertFalse(h.body().contains("sk-webhook-test-secret-value"), "no secret in a body: " + h.body());
    }
    Await.until("three deliveries succeeded", 10, () -> deliveries(e, "?status=succeeded").getInt("total") == 3);
    JsonPath log = deliveries(e, "");
    assertEquals(List.of("connection.deleted", "connection.updated", "connection.created"), log.getList("items.type"));
    assertEquals(List.of(200, 200, 200), log.getList("items.last_status_code"));
    assertEquals(created.id(), log.getString("items[2].event_id"));
    given().get("/q/metrics").then().statusCode(200)
        .body(containsString("plugboard_webhook_deliveries_total{outcome=\"succeeded\",type=\"connection.created\"}"))
        .body(containsString("plugboard_webhook_pending"));
  }

  @Test
  void eventTypeFilterAndOrganizationFilterSelectWhatArrives() throws Exception {
    subscribe(Map.of("events", List.of("connection.deleted")));
    Member stranger = Fixtures.newMember();
    String id = createConnection("filtered");
    Fixtures.create(stranger, Fixtures.mcpConnection("elsewhere"));
    member.as().delete("/v1/connections/" + id).then().statusCode(200);
    awaitOne("connection.deleted");
    // The dispatcher has tried everything due once the delete arrived after the create's commit.
    assertEquals(List.of("connection.deleted"), receiver.hits.stream().map(Receiver.Hit::type).toList());
  }

  @Test
  void aFailedAttemptIsRetriedWithTheSameWebhookId() {
    Endpoint e = subscribe(Map.of());
    receiver.answer(500);
    createConnection("retried");
    Await.until("the retry arrives", 30, () -> receiver.hits.size() >= 2);
    Receiver.Hit first = receiver.hits.get(0);
    Receiver.Hit second = receiver.hits.get(1);
    assertEquals(first.id(), second.id(), "same webhook-id on a retry");
    first.verify(e.secret());
    second.verify(e.secret());
    Await.until("the delivery succeeded", 10, () -> deliveries(e, "?status=succeeded").getInt("total") == 1);
    JsonPath log = deliveries(e, "");
    assertEquals(2, log.getInt("items[0].attempts"));
    assertEquals(200, log.getInt("items[0].last_status_code"));
  }

  @Test
  void retryAfterIsHonouredAndTheLogShowsThePendingAttempt() {
    Endpoint e = subscribe(Map.of());
    receiver.retryAfter("3600").answer(503);
    createConnection("throttled");
    Await.until("the first attempt is logged", 20, () -> firstOutcomeStored(e));
    JsonPath log = deliveries(e, "?status=pending");
    assertEquals(503, log.getInt("items[0].last_status_code"));
    assertEquals("HTTP 503", log.getString("items[0].last_error"));
    java.time.Instant next = java.time.Instant.parse(log.getString("items[0].next_attempt_at"));
    // Retry-After 3600 s is capped at the next step of the schedule (5 min), not the 5 s first step.
    assertTrue(next.isAfter(java.time.Instant.now().plusSeconds(60)), "waits for Retry-After (capped at 5 min): " + next);
    // A manual retry sends it now.
    String delivery = log.getString("items[0].id");
    admin().post("/admin/v1/webhooks/" + e.id() + "/deliveries/" + delivery + "/retry").then().statusCode(202).body("status", equalTo("pending"));
    Await.until("the manual retry succeeds", 20, () -> deliveries(e, "?status=succeeded").getInt("total") == 1);
    assertEquals(2, receiver.hits.size());
  }

  @Test
  void aRedirectIsAFailedAttemptAndIsNotFollowed() {
    Endpoint e = subscribe(Map.of());
    receiver.retryAfter("3600").answer(307); // the retry waits (5 min) until it is asked for by hand
    createConnection("redirected");
    Await.until("the redirect is logged", 20, () -> firstOutcomeStored(e));
    JsonPath log = deliveries(e, "");
    assertEquals("pending", log.getString("items[0].status"));
    assertEquals(307, log.getInt("items[0].last_status_code"));
    assertEquals(1, receiver.hits.size(), "the redirect target was not asked");
    admin().post("/admin/v1/webhooks/" + e.id() + "/deliveries/" + log.getString("items[0].id") + "/retry").then().statusCode(202);
    Await.until("the retry succeeds", 20, () -> deliveries(e, "?status=succeeded").getInt("total") == 1);
    assertEquals(2, receiver.hits.size(), "the first attempt and its retry, never the redirect target");
    assertEquals(receiver.hits.get(0).id(), receiver.hits.get(1).id());
  }

  @Test
  void goneDisablesTheEndpoint() {
    Endpoint e = subscribe(Map.of());
    receiver.answer(410);
    createConnection("gone");
    Await.until("the delivery failed", 20, () -> deliveries(e, "?status=failed").getInt("total") == 1);
    admin().get("/admin/v1/webhooks/" + e.id()).then().statusCode(200).body("enabled", equalTo(false)).body("disabled_reason", containsString("410"));
    createConnection("after gone");
    assertEquals(0, db.count("SELECT count(*) FROM outbox_jobs WHERE target = ? AND status = 'pending'", e.id()), "a disabled endpoint gets no new deliveries");
    assertEquals(1, receiver.hits.size());
    admin().post("/admin/v1/webhooks/" + e.id() + "/deliveries/" + deliveries(e, "").getString("items[0].id") + "/retry")
        .then().statusCode(409).body("error", equalTo("conflict"));
  }

  @Test
  void aReceiverThatIsDownGetsTheEventWhenItComesBack() throws Exception {
    Endpoint e = subscribe(Map.of());
    int port = receiver.port();
    receiver.close();
    createConnection("while down");
    Await.until("the refused attempt is logged", 20, () -> firstOutcomeStored(e));
    assertThat(deliveries(e, "").getString("items[0].last_error"), "connection refused");
    receiver = Receiver.startOn(port);
    Receiver.Hit h = awaitOne("connection.created");
    h.verify(e.secret());
    Await.until("the delivery succeeded", 10, () -> deliveries(e, "?status=succeeded").getInt("total") == 1);
  }

  static void assertThat(String actual, String contained) {
    assertTrue(actual != null && actual.contains(contained), "expected '" + contained + "' in: " + actual);
  }

  @Test
  void rotationSignsWithBothSecretsAndTheTestEventArrives() {
    Endpoint e = subscribe(Map.of());
    String next = admin().post("/admin/v1/webhooks/" + e.id() + "/rotate-secret").then().statusCode(200).extract().path("secret");
    assertNotEquals(e.secret(), next);
    String eventId = admin().post("/admin/v1/webhooks/" + e.id() + "/test").then().statusCode(202).extract().path("event_id");
    Receiver.Hit h = awaitOne("webhook.test");
    assertEquals(eventId, h.id());
    assertEquals(2, h.signature().split(" ").length, "two signatures during the overlap: " + h.signature());
    h.verify(next);
    h.verify(e.secret());
    assertEquals(e.id(), h.json().at("/data/webhook_id").asText());
  }

  @Test
  void aCreateThatFailsAfterItsInsertLeavesNoEvent() {
    Endpoint e = subscribe(Map.of());
    // The fan-out's INSERT for this endpoint fails, after the connection's and the event's INSERTs.
    db.update(
        "CREATE OR REPLACE FUNCTION fail_for_webhook() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN RAISE EXCEPTION 'refused by the test'; END $$");
    db.update(
        "CREATE TRIGGER fail_" + e.id().replace("-", "") + " BEFORE INSERT ON outbox_jobs FOR EACH ROW"
            + " WHEN (NEW.target = '" + e.id() + "') EXECUTE FUNCTION fail_for_webhook()");
    try {
      member.as()
          .body(Fixtures.mcpConnection("rolled back"))
          .post("/v1/connections")
          .then()
          .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(500));
    } finally {
      db.update("DROP TRIGGER fail_" + e.id().replace("-", "") + " ON outbox_jobs");
    }
    assertEquals(0, db.count("SELECT count(*) FROM connections WHERE team_id = ?::uuid", member.teamId()), "no connection");
    assertEquals(0, db.count("SELECT count(*) FROM outbox_events WHERE organization_id = ?::uuid", member.orgId()), "no event");
    member.as().get("/v1/connections").then().statusCode(200).body("integrations.name", not(hasItem("rolled back")));
    createConnection("committed");
    awaitOne("connection.created");
    assertEquals(1, receiver.hits.size(), "only the committed create");
  }

  @Test
  void maintenanceDrainsTheOutboxAndPurgesWhatEndedBeforeTheRetention() {
    Endpoint e = subscribe(Map.of());
    createConnection("kept");
    Await.until("the fresh delivery succeeded", 20, () -> deliveries(e, "?status=succeeded").getInt("total") == 1);
    // one more delivery that ended eight days ago (retention: 7 d)
    String old = "msg_" + java.util.UUID.randomUUID().toString().replace("-", "");
    db.update("INSERT INTO outbox_events (id, type, organization_id, body, created_at) VALUES (?, 'connection.created', ?::uuid, '{}', now() - interval '8 days')", old, member.orgId());
    db.update(
        "INSERT INTO outbox_jobs (id, kind, target, event_id, payload, status, attempts, next_attempt_at, created_at, ended_at)"
            + " VALUES (gen_random_uuid(), 'webhook', ?, ?, 'connection.created', 'succeeded', 1, now(), now() - interval '8 days', now() - interval '8 days')",
        e.id(), old);
    assertEquals(2, deliveries(e, "").getInt("total"));
    admin().post("/admin/v1/maintenance/run").then().statusCode(200).body("tasks.task", hasItem("outbox.drain")).body("tasks.task", hasItem("webhook.purge"));
    assertEquals(1, deliveries(e, "").getInt("total"), "the old delivery is purged, the fresh one kept");
    assertEquals(0, db.count("SELECT count(*) FROM outbox_events WHERE id = ?", old), "and its event");
  }
}
