package dev.plugboard.hardening;

import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate-limit leases: a replica claims tokens of the shared bucket in batches. Bucket writes are
 * counted by a trigger this test installs (every INSERT or UPDATE of a rate_limit_buckets row).
 */
@QuarkusTest
@TestProfile(LeaseProfile.class)
class RateLimitLeaseTest {

  private static final Logger LOG = Logger.getLogger(RateLimitLeaseTest.class);
  private static final int LIMIT = LeaseProfile.LIMIT;
  private static final int CAP = LeaseProfile.CAP;

  @BeforeAll
  static void countBucketWrites() {
    Db.update("CREATE TABLE IF NOT EXISTS test_bucket_writes (api_key_id uuid NOT NULL)");
    Db.update(
        "CREATE OR REPLACE FUNCTION test_bucket_write() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN INSERT INTO test_bucket_writes VALUES (NEW.api_key_id); RETURN NULL; END $$");
    Db.update(
        "CREATE OR REPLACE TRIGGER test_bucket_writes AFTER INSERT OR UPDATE ON rate_limit_buckets"
            + " FOR EACH ROW EXECUTE FUNCTION test_bucket_write()");
  }

  @AfterAll
  static void dropCounter() {
    Db.update("DROP TRIGGER IF EXISTS test_bucket_writes ON rate_limit_buckets");
    Db.update("DROP FUNCTION IF EXISTS test_bucket_write()");
    Db.update("DROP TABLE IF EXISTS test_bucket_writes");
  }

  /** Tokens the bucket can have granted since {@code startNanos}: whole tokens refilled on top of {@code base}. */
  private static long bound(long base, long startNanos) {
    return base + (long) Math.floor((System.nanoTime() - startNanos) / 1e9 * LIMIT / 60.0);
  }

  private static UUID keyId(Member m) {
    return (UUID) Db.value("SELECT id FROM api_keys WHERE key_hash = sha256(convert_to(?, 'UTF8'))", m.key());
  }

  private static long bucketWrites(UUID keyId) {
    return (Long) Db.value("SELECT count(*) FROM test_bucket_writes WHERE api_key_id = ?", keyId);
  }

  @Test
  void aBurstWritesTheBucketOncePerLeaseAndStillStopsAtTheLimit() {
    Member m = Fixtures.newMember();
    UUID key = keyId(m);
    long start = System.nanoTime();
    int requests = 0;
    int admitted = 0;
    Response limited = null;
    while (limited == null && requests < 3 * LIMIT) {
      Response r = m.as().get("/v1/connections");
      requests++;
      if (r.statusCode() == 429) {
        limited = r;
        break;
      }
      assertEquals(200, r.statusCode());
      admitted++;
      int remaining = Integer.parseInt(r.header("X-RateLimit-Remaining"));
      if (admitted == 1) {
        assertEquals(LIMIT - 1, remaining);
      }
      // Never promises more than the bucket can still grant.
      assertTrue(remaining >= 0 && remaining <= bound(LIMIT, start) - admitted, "remaining " + remaining + " after " + admitted);
    }
    assertNotNull(limited, "no 429 after " + requests + " requests");
    assertTrue(admitted >= LIMIT && admitted <= bound(LIMIT, start), "admitted " + admitted);
    assertEquals("0", limited.header("X-RateLimit-Remaining"));
    assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);

    long writes = bucketWrites(key);
    LOG.infof("%d requests (%d admitted) cost %d bucket writes", requests, admitted, writes);
    // Batches of 1, 2, 4, 8, 10, 5 and the refused claim: 7 writes for 31 requests instead of 31.
    assertTrue(writes >= 1 && writes * 3 <= requests, requests + " requests cost " + writes + " bucket writes");
  }

  @Test
  void anotherReplicaDrainingTheBucketLeavesThisOneAtMostItsLease() {
    Member m = Fixtures.newMember();
    UUID key = keyId(m);
    for (int i = 0; i < 2 * CAP; i++) {
      m.as().get("/v1/connections").then().statusCode(200); // batches grow; this replica now holds unused tokens
    }
    // Another replica spends everything that is left in the shared bucket.
    assertEquals(1, Db.update("UPDATE rate_limit_buckets SET tokens = 0, updated_at = statement_timestamp() WHERE api_key_id = ?", key));
    long start = System.nanoTime();
    int more = 0;
    Response limited = null;
    for (int i = 0; i < 3 * CAP && limited == null; i++) {
      Response r = m.as().get("/v1/connections");
      if (r.statusCode() == 429) {
        limited = r;
      } else {
        assertEquals(200, r.statusCode());
        more++;
      }
    }
    assertNotNull(limited, "this replica went on admitting after the bucket was drained");
    LOG.infof("after the drain this replica admitted %d more (lease cap %d)", more, CAP);
    // Its own unused lease (at most CAP) plus whatever the bucket refilled meanwhile.
    assertTrue(more <= bound(CAP, start), "admitted " + more + " after the bucket was drained");
    assertEquals("0", limited.header("X-RateLimit-Remaining"));
    assertTrue(Integer.parseInt(limited.header("Retry-After")) >= 1);
  }

  @Test
  void concurrentRequestsOfOneKeyAdmitExactlyTheLimit() throws Exception {
    Member m = Fixtures.newMember();
    long start = System.nanoTime();
    int ok = Burst.admitted(m, 3 * LIMIT, 20);
    LOG.infof("%d concurrent requests, %d admitted in %d ms", 3 * LIMIT, ok, (System.nanoTime() - start) / 1_000_000);
    // Exactly LIMIT, plus one per 2 s of refill should the burst take that long: no local
    // token is spent twice, and none is left unspent while a request gets 429.
    assertTrue(ok >= LIMIT && ok <= bound(LIMIT, start), "granted " + ok);
  }


  @Test
  void refusalsAreAnsweredWithoutWritingTheBucket() {
    Member m = Fixtures.newMember();
    UUID key = keyId(m);
    Response limited = null;
    for (int i = 0; i < 3 * LIMIT && limited == null; i++) {
      Response r = m.as().get("/v1/connections");
      limited = r.statusCode() == 429 ? r : null;
    }
    assertNotNull(limited, "the limit was never reached");
    long writes = bucketWrites(key);
    long start = System.nanoTime();
    int retries = 10;
    for (int i = 0; i < retries; i++) {
      int status = m.as().get("/v1/connections").statusCode();
      assertTrue(status == 429 || status == 200, "status " + status);
    }
    long added = bucketWrites(key) - writes;
    // A claim can only succeed once a token has refilled (one per 2 s at 30/min): at most a claim
    // and a refused claim per refill, however many retries were refused in between.
    long refills = (long) Math.floor((System.nanoTime() - start) / 1e9 * LIMIT / 60.0);
    assertTrue(added <= 2 * (refills + 1), retries + " refused retries cost " + added + " bucket writes");
  }
}
