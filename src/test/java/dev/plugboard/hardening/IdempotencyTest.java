package dev.plugboard.hardening;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.api.Idempotency;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdempotencyTest {

  private static final String BODY =
      "{\"name\":\"Idem\",\"server_url\":\"https://mcp.example.test/mcp\",\"provider\":\"user\",\"auth_method\":\"url\"}";

  static UUID apiKeyId(Member m) {
    return (UUID) Db.value("SELECT id FROM api_keys WHERE key_hash = sha256(convert_to(?, 'UTF8'))", m.key());
  }

  @Test
  void repeatReplaysTheFirstResponseWithoutDoingTheWorkAgain() {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    Response first = m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections");
    first.then().statusCode(201).header("Idempotent-Replayed", nullValue());
    String id = first.path("id");

    // Same meaning, other key order and spacing: still the same request.
    String reordered =
        "{ \"auth_method\": \"url\", \"provider\": \"user\", \"server_url\": \"https://mcp.example.test/mcp\", \"name\": \"Idem\" }";
    Response again = m.as().header("Idempotency-Key", key).body(reordered).post("/v1/connections");
    again.then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(id));
    assertEquals(first.asString(), again.asString());
    m.as().get("/v1/connections").then().statusCode(200).body("total", equalTo(1));
  }

  @Test
  void sameKeyWithAnotherBodyIsRefused() {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201);
    m.as()
        .header("Idempotency-Key", key)
        .body(BODY.replace("Idem", "Other"))
        .post("/v1/connections")
        .then()
        .statusCode(422)
        .body("error", equalTo("idempotency_key_reused"))
        .body("size()", equalTo(2));
    // Another endpoint with the same key is another request too.
    m.as()
        .header("Idempotency-Key", key)
        .body("{}")
        .patch("/v1/connections/" + UUID.randomUUID())
        .then()
        .statusCode(422)
        .body("error", equalTo("idempotency_key_reused"));
    m.as().get("/v1/connections").then().body("total", equalTo(1));
  }

  @Test
  void keysArePerApiKey() {
    Member a = Fixtures.newMember();
    Member b = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    String idA = a.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201).extract().path("id");
    String idB = b.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201).extract().path("id");
    assertNotEquals(idA, idB);
    b.as().get("/v1/connections/" + idA).then().statusCode(404);
  }

  @Test
  void clientErrorsAreReplayedAndDeletesAreNotRunTwice() {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    String bad = "{\"name\":\"x\",\"provider\":\"user\",\"auth_method\":\"url\"}";
    m.as().header("Idempotency-Key", key).body(bad).post("/v1/connections").then().statusCode(400).body("error", equalTo("validation_failed"));
    m.as()
        .header("Idempotency-Key", key)
        .body(bad)
        .post("/v1/connections")
        .then()
        .statusCode(400)
        .header("Idempotent-Replayed", "true")
        .body("error", equalTo("validation_failed"))
        .body("message", containsString("server_url"));

    String id = Fixtures.create(m, Fixtures.mcpConnection("to delete"));
    String del = UUID.randomUUID().toString();
    m.as().header("Idempotency-Key", del).delete("/v1/connections/" + id).then().statusCode(200).body("success", equalTo(true));
    m.as()
        .header("Idempotency-Key", del)
        .delete("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .header("Idempotent-Replayed", "true")
        .body("success", equalTo(true));
    m.as().delete("/v1/connections/" + id).then().statusCode(404);
  }

  @Test
  void patchIsIdempotentAndReadsIgnoreTheHeader() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("before"));
    String key = UUID.randomUUID().toString();
    m.as().header("Idempotency-Key", key).body(Map.of("name", "after")).patch("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("after"));
    m.as().body(Map.of("name", "changed meanwhile")).patch("/v1/connections/" + id).then().statusCode(200);
    m.as()
        .header("Idempotency-Key", key)
        .body(Map.of("name", "after"))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .header("Idempotent-Replayed", "true")
        .body("name", equalTo("after"));
    m.as().get("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("changed meanwhile"));
    m.as().header("Idempotency-Key", key).get("/v1/connections/" + id).then().statusCode(200).header("Idempotent-Replayed", nullValue());
  }

  @Test
  void malformedKeysAreValidationErrors() {
    Member m = Fixtures.newMember();
    for (String key : List.of("has space", "x".repeat(256), "tab\tkey")) {
      m.as()
          .header("Idempotency-Key", key)
          .body(BODY)
          .post("/v1/connections")
          .then()
          .statusCode(400)
          .body("error", equalTo("validation_failed"))
          .body("message", startsWith("Idempotency-Key"));
    }
    m.as()
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .body(BODY)
        .post("/v1/connections")
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"));
    m.as().get("/v1/connections").then().body("total", equalTo(0));
  }

  @Test
  void aRepeatWhileTheFirstIsInFlightIsAConflictUntilItsLeaseEnds() {
    Member m = Fixtures.newMember();
    UUID apiKey = apiKeyId(m);
    String key = UUID.randomUUID().toString();
    byte[] hash = Idempotency.hash("POST", "/v1/connections", BODY.getBytes(StandardCharsets.UTF_8));
    // A claim as left by a replica that is still working on the first request.
    Db.update(
        "INSERT INTO idempotency_records (api_key_id, idempotency_key, request_hash, state, locked_until, created_at, expires_at)"
            + " VALUES (?, ?, ?, 'in_flight', now() + interval '1 hour', now(), now() + interval '1 day')",
        apiKey, key, hash);
    m.as()
        .header("Idempotency-Key", key)
        .body(BODY)
        .post("/v1/connections")
        .then()
        .statusCode(409)
        .body("error", equalTo("conflict"));
    m.as().get("/v1/connections").then().body("total", equalTo(0));

    // That replica died: once the lease is over, a retry takes the claim over and runs.
    Db.update("UPDATE idempotency_records SET locked_until = now() - interval '1 second' WHERE idempotency_key = ?", key);
    m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201);
    m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201).header("Idempotent-Replayed", "true");
    m.as().get("/v1/connections").then().body("total", equalTo(1));
  }

  @Test
  void concurrentRepeatsCreateExactlyOneConnection() throws Exception {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Response>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections"));
      }
      Set<String> ids = new HashSet<>();
      for (Future<Response> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
        Response r = f.get();
        assertTrue(r.statusCode() == 201 || r.statusCode() == 409, "status " + r.statusCode());
        if (r.statusCode() == 201) {
          ids.add(r.path("id"));
        } else {
          assertEquals("conflict", r.path("error"));
        }
      }
      assertEquals(1, ids.size());
    } finally {
      pool.shutdownNow();
    }
    m.as().get("/v1/connections").then().body("total", equalTo(1));
  }

  @Test
  void expiredRecordsNoLongerReplay() {
    Member m = Fixtures.newMember();
    String key = UUID.randomUUID().toString();
    m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201);
    Db.update("UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE idempotency_key = ?", key);
    m.as().header("Idempotency-Key", key).body(BODY).post("/v1/connections").then().statusCode(201).header("Idempotent-Replayed", nullValue());
    m.as().get("/v1/connections").then().body("total", equalTo(2));
  }
}
