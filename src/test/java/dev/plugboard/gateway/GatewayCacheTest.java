package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.api.ChangeFeed;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.OAuthToken;
import dev.plugboard.support.Await;
import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gateway's caches on one replica (issue 23): a change made straight in the database is seen
 * through its NOTIFY, also after the listener lost its connection (it listens again and drops
 * everything, as changes may have gone unheard meanwhile). Two replicas: {@code CacheReplicaIT}.
 */
@QuarkusTest
class GatewayCacheTest extends WithPeers {

  private static final String ECHO = "{\"name\":\"echo\",\"arguments\":{\"text\":\"cached\"}}";

  @Inject Db db;
  @Inject Crypto crypto;
  @Inject CredentialService credentials;

  @Test
  void aLostListenerReconnectsAndMissesNoChange() throws Exception {
    Member m = Fixtures.newMember();
    String conn = Fixtures.create(m, Map.of("name", "listened", "server_url", peers.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
    GatewayTest.Session s = GatewayTest.open(m.key(), conn);
    assertEquals("echo: cached", s.call(2, "tools/call", ECHO).at("/result/content/0/text").asText(), "the connection and the session are cached now");

    long killed = db.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?", ChangeFeed.APPLICATION_NAME);
    assertTrue(killed >= 1, "the change feed's connection was found");
    db.update("UPDATE connections SET allowed_tools = ARRAY['add'] WHERE id = ?", UUID.fromString(conn));
    Await.until("the tool the allowlist dropped is refused", 5, () -> call(s) == GatewayService.INVALID_PARAMS);
    Await.until("the change feed listens again", 10, () -> db.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", ChangeFeed.APPLICATION_NAME) == 1);

    // heard now: a change straight in SQL reaches this replica's cache
    db.update("UPDATE connections SET allowed_tools = NULL WHERE id = ?", UUID.fromString(conn));
    Await.until("the tool is forwarded again", 5, () -> call(s) == 0);
  }

  @Test
  void anOAuthTokenReplacedInTheDatabaseIsTheOneSentNext() throws Exception {
    Member m = Fixtures.newMember();
    String first = peers.oauth.issueToken("default", "agent", "plugboard").serialize();
    String conn = GatewayTest.oauthConnection(m, peers, db, credentials, first, null);
    UUID id = UUID.fromString(conn);
    GatewayTest.Session s = GatewayTest.open(m.key(), conn);
    assertEquals(0, call(s));
    assertEquals("Bearer " + first, lastBearer(), "the stored token, now cached");

    // a new token written straight in SQL (no JPA callback on this replica): heard through the NOTIFY
    String second = peers.oauth.issueToken("default", "agent", "plugboard").serialize();
    db.update("UPDATE oauth_tokens SET access_token = ? WHERE connection_id = ?", crypto.encrypt(second, OAuthToken.aad(id, "access_token")), id);
    assertEquals(0, call(s));
    assertEquals("Bearer " + second, lastBearer(), "the replaced token is the one sent next");
  }

  private static String lastBearer() {
    String last = null;
    for (GatewayPeers.Seen seen : peers.seen) {
      if (seen.path().startsWith("/oauth/") && seen.authorization() != null) {
        last = seen.authorization();
      }
    }
    return last;
  }

  /** The JSON-RPC error code of an echo call, 0 when it was answered by the tool. */
  private static int call(GatewayTest.Session s) {
    try {
      return s.call(7, "tools/call", ECHO).at("/error/code").asInt(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
