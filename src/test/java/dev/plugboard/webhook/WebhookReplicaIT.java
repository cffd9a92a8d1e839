package dev.plugboard.webhook;

import static dev.plugboard.support.Fixtures.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plugboard.packaging.PackagedAppResource;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.PackagedApp;
import io.restassured.RestAssured;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged app on one database: every event arrives exactly once, because a
 * delivery is claimed with {@code FOR UPDATE SKIP LOCKED} and a lease. The post-commit attempt is
 * held back on both, so their two dispatchers (small batches, every second) race for the same
 * backlog. Runs in {@code verify} after {@code package}.
 */
class WebhookReplicaIT {

  static PackagedAppResource database;
  static PackagedApp a;
  static PackagedApp b;
  static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    database = new PackagedAppResource();
    Map<String, String> config = new HashMap<>(database.start());
    config.put("plugboard.webhooks.allow-http", "true");
    config.put("plugboard.webhooks.allow-private-networks", "true");
    config.put("plugboard.outbox.poll-interval", "1s");
    config.put("plugboard.outbox.after-commit-delay", "1h");
    config.put("plugboard.outbox.batch-size", "3");
    a = PackagedApp.start("webhook-replica-a", config);
    b = PackagedApp.start("webhook-replica-b", config);
    receiver = Receiver.start();
    RestAssured.baseURI = "http://127.0.0.1";
  }

  @AfterAll
  static void stop() throws Exception {
    RestAssured.reset();
    try {
      a.stop();
      b.stop();
      receiver.close();
    } finally {
      database.stop();
    }
  }

  @Test
  void twoDispatchersDeliverEachEventOnce() {
    RestAssured.port = a.port;
    Member m = Fixtures.newMember();
    String secret =
        admin().body(Map.of("url", receiver.url(), "organization_id", m.orgId())).post("/admin/v1/webhooks").then().statusCode(201).extract().path("secret");
    int events = 30;
    for (int i = 0; i < events; i++) {
      RestAssured.port = i % 2 == 0 ? a.port : b.port; // commits on both replicas
      Fixtures.create(m, Fixtures.mcpConnection("replicated " + i));
    }
    Await.until(events + " events arrive", 60, () -> receiver.hits.stream().map(Receiver.Hit::id).distinct().count() == events);
    Map<String, List<Receiver.Hit>> byId = receiver.hits.stream().collect(Collectors.groupingBy(Receiver.Hit::id));
    byId.values().forEach(h -> h.get(0).verify(secret));
    assertEquals(events, receiver.hits.size(), "no event sent twice: " + byId.values().stream().filter(h -> h.size() > 1).map(h -> h.get(0).id()).toList());
  }
}
