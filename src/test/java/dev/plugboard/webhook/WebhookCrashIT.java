package dev.plugboard.webhook;

import static dev.plugboard.support.Fixtures.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.packaging.PackagedAppResource;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.PackagedApp;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox survives a crash (issue 20): the packaged app is SIGKILLed with an event committed but
 * not delivered, once after a failed attempt (receiver down) and once between the commit and the
 * first attempt; a new instance on the same database delivers it, signed. Runs in {@code verify}
 * after {@code package} (failsafe), on 127.0.0.1 only.
 */
class WebhookCrashIT {

  static PackagedAppResource database;
  static Map<String, String> config;
  final List<PackagedApp> apps = new ArrayList<>();
  final List<Receiver> receivers = new ArrayList<>();

  @BeforeAll
  static void database() {
    database = new PackagedAppResource();
    config = new HashMap<>(database.start());
    config.put("plugboard.webhooks.allow-http", "true");
    config.put("plugboard.webhooks.allow-private-networks", "true");
    config.put("plugboard.outbox.poll-interval", "1s");
    RestAssured.baseURI = "http://127.0.0.1";
  }

  @AfterAll
  static void stopDatabase() {
    RestAssured.reset();
    database.stop();
  }

  @AfterEach
  void stop() throws Exception {
    for (PackagedApp app : apps) {
      app.stop();
    }
    for (Receiver r : receivers) {
      r.close();
    }
  }

  PackagedApp start(String name, Map<String, String> overrides) throws Exception {
    Map<String, String> c = new HashMap<>(config);
    c.putAll(overrides);
    PackagedApp app = PackagedApp.start(name, c);
    apps.add(app);
    RestAssured.port = app.port; // Fixtures and the admin API go to the live instance
    return app;
  }

  Receiver receiver(int port) throws Exception {
    Receiver r = port == 0 ? Receiver.start() : Receiver.startOn(port);
    receivers.add(r);
    return r;
  }

  record Subscription(Member member, String endpointId, String secret) {}

  static Subscription subscribe(String url) {
    Member m = Fixtures.newMember();
    JsonPath created =
        admin().body(Map.of("url", url, "organization_id", m.orgId())).post("/admin/v1/webhooks").then().statusCode(201).extract().jsonPath();
    return new Subscription(m, created.getString("id"), created.getString("secret"));
  }

  static JsonPath delivery(Subscription s) {
    return admin().get("/admin/v1/webhooks/" + s.endpointId() + "/deliveries").then().statusCode(200).extract().jsonPath();
  }

  @Test
  void receiverDownAppKilledBothBackTheEventArrives() throws Exception {
    PackagedApp first = start("webhook-crash-a", Map.of());
    Receiver down = receiver(0);
    int port = down.port();
    String url = down.url();
    down.close();
    Subscription s = subscribe(url);
    String connection = Fixtures.create(s.member(), Fixtures.mcpConnection("created while the receiver is down"));
    // its outcome stored, so no lease is held when the app dies (a held one would delay the retry 2 min)
    Await.until("the refused attempt is logged", 30, () -> delivery(s).get("items[0].last_error") != null);
    assertEquals("pending", delivery(s).getString("items[0].status"));

    first.kill();
    Receiver back = receiver(port);
    start("webhook-crash-b", Map.of());
    Await.until("the event arrives after the restart", 60, () -> !back.ofType("connection.created").isEmpty());
    Receiver.Hit hit = back.ofType("connection.created").get(0);
    hit.verify(s.secret());
    assertEquals(connection, hit.json().at("/data/connection/id").asText());
    Await.until("the delivery is logged as succeeded", 30, () -> "succeeded".equals(delivery(s).getString("items[0].status")));
  }

  @Test
  void appKilledBetweenCommitAndFirstAttemptStillDelivers() throws Exception {
    // The committing instance holds its post-commit attempt back and runs no dispatcher, so the
    // kill lands deterministically after the commit and before any attempt.
    PackagedApp first = start("webhook-commit-a", Map.of("plugboard.outbox.after-commit-delay", "1h", "plugboard.outbox.poll-interval", "off"));
    Receiver receiver = receiver(0);
    Subscription s = subscribe(receiver.url());
    String connection = Fixtures.create(s.member(), Fixtures.mcpConnection("committed, never attempted"));
    JsonPath log = delivery(s);
    assertEquals(1, log.getInt("total"), "the event and its delivery committed with the connection");
    assertEquals(0, log.getInt("items[0].attempts"));

    first.kill();
    assertTrue(receiver.hits.isEmpty(), "nothing was sent before the crash");
    start("webhook-commit-b", Map.of());
    Await.until("the event arrives after the restart", 60, () -> !receiver.ofType("connection.created").isEmpty());
    Receiver.Hit hit = receiver.ofType("connection.created").get(0);
    hit.verify(s.secret());
    assertEquals(connection, hit.json().at("/data/connection/id").asText());
    Await.until("the delivery is logged as succeeded", 30, () -> "succeeded".equals(delivery(s).getString("items[0].status")));
    assertEquals(1, receiver.withId(hit.id()).size(), "delivered once");
  }
}
