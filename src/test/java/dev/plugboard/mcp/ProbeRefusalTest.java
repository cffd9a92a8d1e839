package dev.plugboard.mcp;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbound policy end to end with production settings: a live MCP server on loopback is never
 * contacted, whatever spelling of a loopback address the caller uses.
 */
@QuarkusTest
@TestProfile(ProbeRefusalTest.ProductionPolicy.class)
class ProbeRefusalTest {

  public static class ProductionPolicy implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("plugboard.outbound.allow-private-networks", "false", "plugboard.outbound.allow-http", "false");
    }
  }

  static McpPeers peers;

  @BeforeAll
  static void start() throws Exception {
    peers = new McpPeers();
  }

  @AfterAll
  static void stop() throws Exception {
    peers.close();
  }

  @Test
  void loopbackTargetsAreRefusedBeforeAnyConnection() {
    Member m = Fixtures.newMember();
    int port = peers.port();
    for (String host : new String[] {"127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0.0.0.0"}) {
      m.as()
          .body(Map.of("server_url", "https://" + host + ":" + port + "/mcp", "headers", Map.of("Authorization", "Bearer " + McpPeers.TOKEN)))
          .post("/v1/connections/mcp/probe")
          .then()
          .statusCode(400)
          .body("error", equalTo("url_not_allowed"))
          .body("message", containsString("private, loopback or reserved"));
    }
    m.as()
        .body(Map.of("server_url", "http://127.0.0.1:" + port + "/mcp"))
        .post("/v1/connections/mcp/probe")
        .then()
        .statusCode(400)
        .body("error", equalTo("url_not_allowed"))
        .body("message", containsString("https"));
    assertTrue(peers.seen.isEmpty(), "nothing reached the server: " + peers.seen);
  }
}
