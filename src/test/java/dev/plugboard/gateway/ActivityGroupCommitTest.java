package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: concurrent tools/calls commit their activity rows together (one INSERT for all that
 * queued while another was being written), every call still answered only after its own row is
 * committed; a row PostgreSQL refuses costs no other row its record. The writer is held up by a
 * table lock taken here, so that the queue fills deterministically.
 */
@QuarkusTest
class ActivityGroupCommitTest extends WithPeers {

  private static final int QUEUED = 6;
  private static final Pattern QUEUED_GAUGE = Pattern.compile("(?m)^plugboard_connection_activity_queued(?:\\{[^}]*})?\\s+([0-9.eE+]+)$");
  private static final Pattern WRITE_FAILURES = Pattern.compile("(?m)^plugboard_connection_activity_write_failures_total(?:\\{[^}]*})?\\s+([0-9.eE+]+)$");

  static ExecutorService agents;

  @Inject Db db;
  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void pool() {
    agents = Executors.newFixedThreadPool(QUEUED + 1);
  }

  @AfterAll
  static void stop() {
    agents.shutdownNow();
  }

  @Test
  void callsThatQueueWhileARowIsWrittenAreCommittedInOneStatement() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "grouped", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    List<GatewayTest.Session> sessions = sessions(m, conn);
    db.update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    db.query("SELECT pg_stat_statements_reset()");
    double onLoop = LoopCallsTest.loopCalls("answered");

    List<String> answers = whileTheTableIsLocked(sessions, i -> "echo");
    assertEquals(onLoop + QUEUED + 1, LoopCallsTest.loopCalls("answered"), "served on the event loop, their rows written by one worker (ActivityLog.recordCallThen)");

    answers.forEach(a -> assertTrue(a.contains("echo: call"), a));
    assertEquals(QUEUED + 1, db.count("SELECT count(*) FROM connection_activity WHERE connection_id = ? AND tool = 'echo' AND outcome = 'ok'", UUID.fromString(conn)));
    // the first call's row alone, then the six that queued behind it in one statement of six rows
    assertEquals(1, db.count("SELECT count(*) FROM pg_stat_statements WHERE query ILIKE 'INSERT INTO connection_activity%' AND calls = 1 AND rows = ?", (long) QUEUED), "one INSERT wrote the queued rows");
  }

  @Test
  void aRowTheDatabaseRefusesCostsNoOtherRowItsRecord() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "grouped", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    List<GatewayTest.Session> sessions = sessions(m, conn);
    double failuresBefore = metric(WRITE_FAILURES);

    // PostgreSQL text cannot hold U+0000: that tool name's row is refused, in whichever batch it is
    whileTheTableIsLocked(sessions, i -> i == 3 ? "bad\\u0000name" : "echo");

    assertEquals(QUEUED, db.count("SELECT count(*) FROM connection_activity WHERE connection_id = ? AND tool = 'echo'", UUID.fromString(conn)));
    assertEquals(QUEUED, db.count("SELECT count(*) FROM connection_activity WHERE connection_id = ?", UUID.fromString(conn)));
    assertEquals(failuresBefore + 1, metric(WRITE_FAILURES), "the refused row is counted as not recorded");
  }

  private static List<GatewayTest.Session> sessions(Member m, String conn) throws Exception {
    List<GatewayTest.Session> sessions = new ArrayList<>();
    for (int i = 0; i <= QUEUED; i++) {
      sessions.add(GatewayTest.open(m.key(), conn));
    }
    return sessions;
  }

  /**
   * Call {@code i} (0 to QUEUED) of tool {@code tool(i)}: the first one's INSERT waits on a lock held
   * here, the others queue behind it; then the lock goes. Returns every answer's body.
   */
  private List<String> whileTheTableIsLocked(List<GatewayTest.Session> sessions, java.util.function.IntFunction<String> tool) throws Exception {
    List<Future<String>> calls = new ArrayList<>();
    try (Connection lock = dataSource.getConnection()) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE connection_activity IN SHARE MODE");
      }
      for (int i = 0; i <= QUEUED; i++) {
        GatewayTest.Session session = sessions.get(i);
        String params = "{\"name\":\"" + tool.apply(i) + "\",\"arguments\":{\"text\":\"call " + i + "\"}}";
        int id = i + 10;
        calls.add(agents.submit(() -> GatewayTest.post(session.key(), session.connectionId(), session.id(), GatewayTest.request(id, "tools/call", params)).asString()));
        if (i == 0) {
          Await.until("the first call's INSERT waits for the lock", 10, () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO connection_activity%'") == 1);
        }
      }
      Await.until("the other calls' rows are queued", 10, () -> metric(QUEUED_GAUGE) == QUEUED);
      for (Future<String> call : calls) {
        assertTrue(!call.isDone(), "no call is answered before its row is committed");
      }
      lock.commit();
    }
    List<String> answers = new ArrayList<>();
    for (Future<String> call : calls) {
      answers.add(call.get(30, TimeUnit.SECONDS));
    }
    return answers;
  }

  private static double metric(Pattern pattern) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher matcher = pattern.matcher(metrics);
    assertTrue(matcher.find(), "exported: " + pattern + " in " + metrics.lines().filter(l -> l.contains("activity")).toList());
    return Double.parseDouble(matcher.group(1));
  }
}
