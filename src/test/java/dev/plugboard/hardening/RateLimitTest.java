package dev.plugboard.hardening;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(TightProfile.class)
class RateLimitTest {

  private static final int LIMIT = TightProfile.LIMIT;

  /** The most requests a bucket of LIMIT can grant over {@code nanos}: the burst plus the refill. */
  private static long allowance(long nanos) {
    return LIMIT + (long) Math.ceil(nanos / 1e9 * LIMIT / 60.0);
  }

  @Test
  void headersOnEveryResponseAnd429WithRetryAfterOverTheLimit() {
    Member m = Fixtures.newMember();
    long start = System.nanoTime();
    Response first = m.as().get("/v1/connections");
    first.then()
        .statusCode(200)
        .header("X-RateLimit-Limit", String.valueOf(LIMIT))
        .header("X-RateLimit-Remaining", String.valueOf(LIMIT - 1));
    long reset = Long.parseLong(first.header("X-RateLimit-Reset"));
    long nowSeconds = System.currentTimeMillis() / 1000;
    assertTrue(reset >= nowSeconds - 5 && reset <= nowSeconds + 70, "reset is a unix time within the minute");

    // Errors of an authenticated caller carry the headers too.
    m.as().get("/v1/connections/" + UUID.randomUUID()).then().statusCode(404).header("X-RateLimit-Limit", String.valueOf(LIMIT));

    int granted = 2;
    Response limited = null;
    for (int i = 0; i < 100 && limited == null; i++) {
      Response r = m.as().get("/v1/connections");
      if (r.statusCode() == 429) {
        limited = r;
      } else {
        assertEquals(200, r.statusCode());
        granted++;
      }
    }
    assertNotNull(limited);
    assertTrue(granted >= LIMIT && granted <= allowance(System.nanoTime() - start), "granted " + granted);
    limited
        .then()
        .body("error", equalTo("rate_limited"))
        .body("size()", equalTo(2))
        .header("X-RateLimit-Limit", String.valueOf(LIMIT))
        .header("X-RateLimit-Remaining", "0")
        .header("X-RateLimit-Reset", notNullValue());
    assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);

    // Another API key has its own allowance.
    Fixtures.newMember().as().get("/v1/connections").then().statusCode(200).header("X-RateLimit-Remaining", String.valueOf(LIMIT - 1));
  }

  @Test
  void noHeadersWithoutAValidKeyNorOnAdminOrInternal() {
    RestAssured.given().header("Authorization", "Bearer pb_nonexistent_key_000000000000000").get("/v1/connections")
        .then().statusCode(401).header("X-RateLimit-Limit", nullValue());
    RestAssured.given().get("/v1/connections").then().statusCode(401).header("X-RateLimit-Limit", nullValue());
    for (int i = 0; i < LIMIT + 3; i++) {
      Fixtures.admin().body("{\"name\":\"o\"}").post("/admin/v1/organizations").then().statusCode(201).header("X-RateLimit-Limit", nullValue());
      RestAssured.given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN).post("/internal/v1/connections/" + UUID.randomUUID() + "/resolve")
          .then().statusCode(404).header("X-RateLimit-Limit", nullValue());
    }
  }

  @Test
  void theBucketLivesInPostgresqlSoEveryReplicaSharesIt() {
    Member m = Fixtures.newMember();
    m.as().get("/v1/connections").then().statusCode(200);
    // What another replica would see after this key spent its allowance there.
    int rows = Db.update(
        "UPDATE rate_limit_buckets SET tokens = 0, updated_at = statement_timestamp()"
            + " WHERE api_key_id = (SELECT id FROM api_keys WHERE key_hash = sha256(convert_to(?, 'UTF8')))",
        m.key());
    assertEquals(1, rows);
    m.as().get("/v1/connections").then().statusCode(429).body("error", equalTo("rate_limited")).header("Retry-After", notNullValue());
  }

  @Test
  void concurrentRequestsNeverExceedTheBucket() throws Exception {
    Member m = Fixtures.newMember();
    long start = System.nanoTime();
    int ok = Burst.admitted(m, 3 * LIMIT, 12);
    assertTrue(ok >= LIMIT && ok <= allowance(System.nanoTime() - start), "granted " + ok);
  }

}
