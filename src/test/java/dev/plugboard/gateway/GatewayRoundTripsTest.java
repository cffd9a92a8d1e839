package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23: in the steady state a forwarded tools/call costs one database statement (its activity
 * row) and a message that records nothing costs none; the connection and the session come from the
 * replica's caches. Counted by PostgreSQL itself (pg_stat_statements) over the tables the gateway
 * touches; before the caches the same call cost three (the connection read, the session read and
 * touch, the activity INSERT).
 */
@QuarkusTest
class GatewayRoundTripsTest extends WithPeers {

  private static final String GATEWAY_TABLES =
      "(query ILIKE '%connections%' OR query ILIKE '%gateway_sessions%' OR query ILIKE '%connection_activity%'"
          + " OR query ILIKE '%connection_headers%' OR query ILIKE '%oauth_tokens%')";

  @Inject Db db;

  @BeforeEach
  void enable() {
    db.update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }

  @Test
  void aForwardedCallIsOneStatementAndANotificationNone() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "counted", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    GatewayTest.Session s = GatewayTest.open(m.key(), conn);
    String call = "{\"name\":\"echo\",\"arguments\":{\"text\":\"counted\"}}";
    s.call(2, "tools/call", call); // the first use after opening reads the session into this replica's cache

    db.query("SELECT pg_stat_statements_reset()");
    assertEquals("echo: counted", s.call(3, "tools/call", call).at("/result/content/0/text").asText());
    assertEquals(List.of("INSERT INTO connection_activity"), statements(), "a forwarded tools/call: its activity row alone");

    db.query("SELECT pg_stat_statements_reset()");
    assertEquals(202, GatewayTest.post(m.key(), conn, s.id(), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}").statusCode());
    assertEquals(2, s.call(4, "tools/list", "{}").at("/result/tools").size());
    assertEquals(List.of(), statements(), "a notification and a tools/list record nothing and read nothing");
  }

  /** The gateway's statements since the reset, one entry per execution, by their first words. */
  private List<String> statements() {
    return db.query(
            "SELECT query, calls FROM pg_stat_statements WHERE " + GATEWAY_TABLES + " AND query NOT ILIKE '%pg_stat_statements%'")
        .stream()
        .flatMap(r -> java.util.Collections.nCopies(((Number) r.get(1)).intValue(), head((String) r.get(0))).stream())
        .toList();
  }

  private static String head(String query) {
    String[] words = query.trim().split("\\s+");
    return String.join(" ", List.of(words).subList(0, Math.min(3, words.length)));
  }
}
