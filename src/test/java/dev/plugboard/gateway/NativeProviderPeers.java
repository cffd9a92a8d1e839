package dev.plugboard.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The gateway's upstream peers started before the app, with their mock-oauth2-server configured as the
 * native provider {@code gmail}: a connection of that provider whose MCP server is {@code /oauth/mcp}
 * can be authorized again through a connect link, and the server accepts the tokens it gets. Its token
 * endpoint refuses every refresh (invalid_grant) and passes authorization codes on to the mock.
 */
public class NativeProviderPeers implements QuarkusTestResourceLifecycleManager {

  static volatile GatewayPeers peers;

  @Override
  public Map<String, String> start() {
    try {
      peers = new GatewayPeers();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    String as = peers.oauth.issuerUrl("default").toString().replace("localhost", "127.0.0.1");
    return Map.of(
        "plugboard.oauth.providers.gmail.client-id", "gmail-client",
        "plugboard.oauth.providers.gmail.client-secret", "gmail-secret",
        "plugboard.oauth.providers.gmail.authorization-endpoint", as + "/authorize",
        "plugboard.oauth.providers.gmail.token-endpoint", peers.refreshRefusedTokenEndpoint(),
        "plugboard.oauth.providers.gmail.revocation-endpoint", as + "/revoke",
        "plugboard.oauth.providers.gmail.issuer", as);
  }

  @Override
  public void stop() {
    try {
      peers.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
