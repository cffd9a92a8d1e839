package dev.plugboard.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No N+1: reading a page costs the same number of statements whatever its size. Counted by
 * PostgreSQL itself (pg_stat_statements), so it holds whichever way the app reaches the database.
 */
@QuarkusTest
class QueryCountTest {

  @Inject Db db;

  @BeforeEach
  void enable() {
    db.update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  /** Statements that read the connections table while the app answers {@code path} once. */
  private long statementsFor(Member m, String path) {
    m.as().get(path).then().statusCode(200); // warm the API-key cache so the count is the read alone
    db.query("SELECT pg_stat_statements_reset()");
    m.as().get(path).then().statusCode(200);
    return db.count(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
            + " WHERE query ILIKE '%FROM connections%' AND query NOT ILIKE '%pg_stat_statements%'");
  }

  @Test
  void listAndGetDoNotGrowWithTheNumberOfRows() {
    Member small = Fixtures.newMember();
    Member large = Fixtures.newMember();
    for (int i = 0; i < 2; i++) {
      Fixtures.create(small, withHeaders("s" + i));
    }
    String one = null;
    for (int i = 0; i < 30; i++) {
      one = Fixtures.create(large, withHeaders("l" + i));
    }
    long forTwo = statementsFor(small, "/v1/connections");
    long forThirty = statementsFor(large, "/v1/connections");
    assertEquals(forTwo, forThirty, "statements per list page must not depend on the page size");
    assertEquals(2, forThirty, "one COUNT and one page read (presence flags in the same statement)");
    assertEquals(1, statementsFor(large, "/v1/connections/" + one), "a by-id read is one statement");
  }

  private static Map<String, Object> withHeaders(String name) {
    return Map.of(
        "name", name,
        "server_url", "https://n.test/mcp",
        "provider", "user",
        "auth_method", "apikey",
        "headers", Map.of("secret", Map.of("X-Api-Key", "k"), "plaintext", Map.of("X-A", "a")));
  }
}
