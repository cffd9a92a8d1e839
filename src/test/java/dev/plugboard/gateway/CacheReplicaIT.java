package dev.plugboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.gateway.ReplicaIT.Replica;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The per-replica caches (the gateway's, issue 23, and the API-key cache) keep the 1 s promise
 * across replicas: a session, a connection or a key is used, and so cached, on replica A and on
 * replica B; each change is then made on B (or straight in SQL) and A must show it. Without the NOTIFY an entry would live on A for 5
 * minutes, so the bounded loops below (a few seconds at most) prove the notification did it.
 * Runs in {@code verify} after {@code package} (failsafe), on 127.0.0.1 only.
 */
class CacheReplicaIT extends TwoReplicas {

  private static final String ECHO = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"cached\"}}}";
  private static final int BOUND_SECONDS = 5;

  @Test
  void everyChangeMadeOnBTakesEffectOnA() throws Exception {
    Member m = Fixtures.newMember();
    String conn =
        Fixtures.create(
            m,
            Map.of(
                "name", "cached", "server_url", upstream.base() + "/hdr/mcp", "provider", "user", "auth_method", "apikey",
                "headers", Map.of("secret", Map.of("X-Secret", GatewayPeers.SECRET))));
    String session = open(m, conn);
    String other = open(m, conn);
    for (Replica r : List.of(a, b)) { // used, and so cached, on both replicas
      assertEquals("echo: cached", echo(r, m, conn, session).at("/result/content/0/text").asText());
      assertEquals("echo: cached", echo(r, m, conn, other).at("/result/content/0/text").asText());
    }

    // allowed_tools changed on B: A refuses the tool now outside it, without asking the upstream
    patch(m, conn, "{\"allowed_tools\":[\"add\"]}");
    Await.until("A refuses the tool the allowlist dropped", BOUND_SECONDS, () -> echo(a, m, conn, session).at("/error/code").asInt() == -32602);
    patch(m, conn, "{\"allowed_tools\":null}");
    Await.until("A forwards it again", BOUND_SECONDS, () -> isEcho(echo(a, m, conn, session)));

    // new credentials stored on B (the headers row): A sends them; the right ones again: A works again
    patch(m, conn, "{\"headers\":{\"secret\":{\"X-Secret\":\"a-wrong-secret\"}}}");
    Await.until("A sends the secret stored on B, which the server refuses", BOUND_SECONDS, () -> needsPerson(echo(a, m, conn, session)));
    patch(m, conn, "{\"headers\":{\"secret\":{\"X-Secret\":\"" + GatewayPeers.SECRET + "\"}}}");
    Await.until("A uses the re-authorized credentials", BOUND_SECONDS, () -> isEcho(echo(a, m, conn, session)));

    // marked as needing a person straight in the database (neither replica wrote it), then repaired
    sql("UPDATE connections SET broken_at = now(), broken_reason = 'upstream_unauthorized' WHERE id = ?", conn);
    Await.until("A answers the broken connection with a link", BOUND_SECONDS, () -> needsPerson(echo(a, m, conn, session)));
    sql("UPDATE connections SET broken_at = NULL, broken_reason = NULL WHERE id = ?", conn);
    Await.until("A forwards once it is repaired", BOUND_SECONDS, () -> isEcho(echo(a, m, conn, session)));

    // the session ended on B: A answers 404 for it
    assertEquals(204, b.delete(m.key(), conn, session).statusCode());
    Await.until("A has forgotten the session ended on B", BOUND_SECONDS, () -> a.post(m.key(), conn, session, ECHO.formatted(9)).statusCode() == 404);
    assertTrue(isEcho(echo(a, m, conn, other)), "the other session lives on");

    // the connection deleted on B: A refuses the session that was bound to it
    given().port(b.port()).header("Authorization", "Bearer " + m.key()).delete("/v1/connections/" + conn).then().statusCode(200);
    Await.until("A refuses the deleted connection", BOUND_SECONDS, () -> a.post(m.key(), conn, other, ECHO.formatted(10)).statusCode() == 404);
  }

  @Test
  void aKeyRevokedOnBOrChangedInSqlIsRefusedByA() throws Exception {
    Member revoked = Fixtures.newMember();
    Member deleted = Fixtures.newMember();
    Member departed = Fixtures.newMember();
    Member removed = Fixtures.newMember();
    Member stays = Fixtures.newMember();
    List<Member> members = List.of(revoked, deleted, departed, removed, stays);
    for (Replica r : List.of(a, b)) { // used, and so cached, on both replicas
      for (Member m : members) {
        assertEquals(200, listOn(r, m), "the fresh key works");
      }
    }

    // revoked through B's admin API
    UUID keyId = (UUID) value("SELECT id FROM api_keys WHERE user_id = ?", revoked.userId());
    given().port(b.port()).header("Authorization", "Bearer " + Fixtures.ADMIN_TOKEN).delete("/admin/v1/api-keys/" + keyId).then().statusCode(200);
    Await.until("A refuses the key revoked on B", BOUND_SECONDS, () -> listOn(a, revoked) == 401);

    // deleted, the membership removed, the user deleted: straight in the database (neither replica wrote it)
    sql("DELETE FROM api_keys WHERE user_id = ?", deleted.userId());
    sql("DELETE FROM memberships WHERE user_id = ?", departed.userId());
    sql("DELETE FROM users WHERE id = ?", removed.userId());
    for (Member m : List.of(deleted, departed, removed)) {
      Await.until("both replicas refuse the key", BOUND_SECONDS, () -> listOn(a, m) == 401 && listOn(b, m) == 401);
    }
    assertEquals(200, listOn(a, stays), "an unchanged key works on A");
    assertEquals(200, listOn(b, stays), "an unchanged key works on B");
  }

  private static int listOn(Replica r, Member m) {
    return given().port(r.port()).header("Authorization", "Bearer " + m.key()).get("/v1/connections").statusCode();
  }

  private static String open(Member m, String conn) {
    Response init =
        a.post(m.key(), conn, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"cache-agent\",\"version\":\"1\"}}}");
    assertEquals(200, init.statusCode(), init.asString());
    String session = init.header("Mcp-Session-Id");
    assertEquals(202, a.post(m.key(), conn, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());
    return session;
  }

  private static int rpc;

  private static JsonNode echo(Replica r, Member m, String conn, String session) {
    Response call = r.post(m.key(), conn, session, ECHO.formatted(++rpc + 100));
    assertEquals(200, call.statusCode(), call.asString());
    try {
      return GatewayTest.answer(call);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isEcho(JsonNode answer) {
    return "echo: cached".equals(answer.at("/result/content/0/text").asText());
  }

  /** The answer of a connection that needs a person: a tool result holding the link (this agent declared no URL elicitation). */
  private static boolean needsPerson(JsonNode answer) {
    return answer.at("/result/isError").asBoolean() && answer.at("/result/content/0/text").asText().contains("needs a person");
  }

  private static void patch(Member m, String conn, String body) {
    given().port(b.port()).header("Authorization", "Bearer " + m.key()).contentType(ContentType.JSON).body(body).patch("/v1/connections/" + conn).then().statusCode(200);
  }

  private static void sql(String statement, String id) throws Exception {
    try (var c = database();
        var ps = c.prepareStatement(statement)) {
      ps.setObject(1, UUID.fromString(id));
      assertEquals(1, ps.executeUpdate());
    }
  }

  private static Object value(String query, String id) throws Exception {
    try (var c = database();
        var ps = c.prepareStatement(query)) {
      ps.setObject(1, UUID.fromString(id));
      try (var rs = ps.executeQuery()) {
        assertTrue(rs.next(), "a row");
        return rs.getObject(1);
      }
    }
  }

  private static Connection database() throws SQLException {
    return DriverManager.getConnection(replicas.config.get("quarkus.datasource.jdbc.url"), replicas.config.get("quarkus.datasource.username"), replicas.config.get("quarkus.datasource.password"));
  }
}
