package dev.plugboard.hardening;

import dev.plugboard.support.Await;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away and comes back: requests fail fast with 503 and the envelope, readiness
 * goes down while liveness stays up, and the service recovers by itself with nothing lost. A stop
 * in the middle of concurrent writes leaves no half-written connection.
 */
@QuarkusTest
@QuarkusTestResource(value = StoppablePostgres.class, restrictToAnnotatedClass = true)
class DatabaseOutageTest {

  private static final Logger LOG = Logger.getLogger(DatabaseOutageTest.class);
  // Bounds the test, not the service: a hung request fails the test instead of hanging it.
  private static final RestAssuredConfig BOUNDED =
      RestAssuredConfig.config()
          .httpClient(HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 30_000).setParam("http.connection.timeout", 10_000));

  private static Map<String, Object> withHeaders(String name) {
    return Map.of(
        "name", name,
        "server_url", "https://mcp.example.test/mcp",
        "provider", "user",
        "auth_method", "headers",
        "headers", Map.of("plaintext", Map.of("X-A", "1", "X-B", "2"), "secret", Map.of("Authorization", "Bearer s")));
  }

  @Test
  void outageAnswers503FastAndRecoversByItselfWithNothingLost() throws Exception {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, withHeaders("survivor"));
    RestAssured.get("/q/health/ready").then().statusCode(200);

    StoppablePostgres.stopDatabase();
    try {
      Await.until("a 503 while the database is down", 30, () -> m.as().config(BOUNDED).get("/v1/connections/" + id).statusCode() == 503);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          int kind = i % 4;
          calls.add(() -> switch (kind) {
            case 0 -> m.as().config(BOUNDED).get("/v1/connections");
            case 1 -> m.as().config(BOUNDED).get("/v1/connections/" + id);
            case 2 -> m.as().config(BOUNDED).body(withHeaders("during outage")).post("/v1/connections");
            default -> RestAssured.given().config(BOUNDED).header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
                .post("/internal/v1/connections/" + id + "/resolve");
          });
        }
        long start = System.nanoTime();
        long slowest = 0;
        for (Future<Response> f : pool.invokeAll(calls, 120, TimeUnit.SECONDS)) {
          Response r = f.get();
          slowest = Math.max(slowest, r.time());
          r.then().statusCode(503).body("error", equalTo("service_unavailable")).body("size()", equalTo(2));
        }
        LOG.infof("40 requests during the outage: all 503, slowest %d ms, all done in %d ms", slowest, (System.nanoTime() - start) / 1_000_000);
      } finally {
        pool.shutdownNow();
      }
      RestAssured.given().config(BOUNDED).get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
      RestAssured.given().config(BOUNDED).get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
      Fixtures.admin().config(BOUNDED).post("/admin/v1/maintenance/run").then().statusCode(200);
    } finally {
      StoppablePostgres.startDatabase();
    }

    Await.until("recovery", 60, () -> m.as().config(BOUNDED).get("/v1/connections/" + id).statusCode() == 200);
    m.as().get("/v1/connections/" + id + "/credentials").then().statusCode(200).body("headers.X-A", equalTo("1"));
    RestAssured.given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + id + "/resolve")
        .then().statusCode(200).body("headers.Authorization", equalTo("Bearer s"));
    m.as().get("/v1/connections").then().statusCode(200).body("total", equalTo(1));
    Fixtures.create(m, withHeaders("after recovery"));
    Await.until("readiness", 30, () -> RestAssured.get("/q/health/ready").statusCode() == 200);
  }

  @Test
  void stoppingTheDatabaseDuringConcurrentWritesLeavesNoHalfWrittenConnection() throws Exception {
    Member m = Fixtures.newMember();
    List<String> doomed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String cid = Fixtures.create(m, withHeaders("to delete " + i));
      Db.update(
          "INSERT INTO triggers (id, agent_id, user_id, integration_slug, trigger_type, integration_instance_id, created_at, updated_at)"
              + " VALUES (?, ?, ?, 'custom_mcp', 'poll', ?, now(), now())",
          UUID.randomUUID(), UUID.randomUUID(), UUID.fromString(m.userId()), UUID.fromString(cid));
      doomed.add(cid);
    }
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    Set<Integer> statuses = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> workers = new ArrayList<>();
    try {
      for (int w = 0; w < 8; w++) {
        int worker = w;
        workers.add(pool.submit(() -> {
          int n = 0;
          while (!stop.get()) {
            Response r;
            if (n % 3 == 2 && worker < doomed.size()) {
              String target = doomed.get((worker + n) % doomed.size());
              r = m.as().config(BOUNDED).delete("/v1/connections/" + target);
              if (r.statusCode() == 200) {
                deleted.add(target);
              }
            } else {
              r = m.as().config(BOUNDED).body(withHeaders("w" + worker + "-" + n)).post("/v1/connections");
              if (r.statusCode() == 201) {
                acknowledged.add(r.path("id"));
              }
            }
            statuses.add(r.statusCode());
            n++;
          }
          return null;
        }));
      }
      Await.until("some writes before the stop", 60, () -> acknowledged.size() >= 10);
      StoppablePostgres.stopDatabase();
      StoppablePostgres.startDatabase();
      Await.until("writes after the restart", 60, () -> m.as().config(BOUNDED).get("/v1/connections?limit=1").statusCode() == 200);
      int before = acknowledged.size();
      Await.until("more writes after the restart", 60, () -> acknowledged.size() > before);
    } finally {
      stop.set(true);
      for (Future<?> f : workers) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
    }

    Set<Integer> allowed = Set.of(200, 201, 404, 503);
    assertTrue(allowed.containsAll(statuses), "statuses seen: " + statuses);
    UUID team = UUID.fromString(m.teamId());
    // Every connection has its whole header set; nothing dangles without its connection.
    assertEquals(0L, Db.value(
        "SELECT count(*) FROM connections c WHERE c.team_id = ? AND (SELECT count(*) FROM connection_headers h WHERE h.connection_id = c.id) <> 3", team));
    assertEquals(0L, Db.value("SELECT count(*) FROM connection_headers h WHERE NOT EXISTS (SELECT 1 FROM connections c WHERE c.id = h.connection_id)"));
    for (String cid : doomed) {
      long connections = (Long) Db.value("SELECT count(*) FROM connections WHERE id = ?", UUID.fromString(cid));
      long triggers = (Long) Db.value("SELECT count(*) FROM triggers WHERE integration_instance_id = ?", UUID.fromString(cid));
      assertEquals(connections, triggers, "connection " + cid + " and its trigger go together");
      if (deleted.contains(cid)) {
        assertEquals(0, connections, "an acknowledged delete is durable");
      }
    }
    // Every acknowledged create survived the stop.
    Set<String> stored = new HashSet<>();
    Db.query("SELECT id::text AS id FROM connections WHERE team_id = ?", team).forEach(r -> stored.add((String) r.get("id")));
    assertTrue(stored.containsAll(acknowledged), "acknowledged writes are durable");
  }
}
