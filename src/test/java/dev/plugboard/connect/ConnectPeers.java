package dev.plugboard.connect;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * The outside parties of a connect link, all on 127.0.0.1: mock-oauth2-server as the native provider
 * {@code gmail} (it consents at once and redirects to the callback), and WireMock playing Composio.
 * The app listens on a port chosen here so that its public base URL, which the browser is sent back
 * to, is the real one.
 */
public class ConnectPeers implements QuarkusTestResourceLifecycleManager {

  static volatile MockOAuth2Server oauth;
  static volatile WireMockServer composio;
  static volatile String base;

  @Override
  public Map<String, String> start() {
    try {
      oauth = new MockOAuth2Server(new OAuth2Config(false, null, null, false));
      oauth.start(InetAddress.getByName("127.0.0.1"), 0);
      composio = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
      composio.start();
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      base = "http://127.0.0.1:" + port;
      String as = "http://127.0.0.1:" + oauth.baseUrl().port() + "/default";
      Map<String, String> config = new HashMap<>();
      config.put("quarkus.http.test-port", Integer.toString(port));
      config.put("plugboard.public-base-url", base);
      config.put("plugboard.oauth.allowed-return-hosts", "app.localhost");
      config.put("plugboard.oauth.providers.gmail.client-id", "gmail-client");
      config.put("plugboard.oauth.providers.gmail.client-secret", "gmail-secret");
      config.put("plugboard.oauth.providers.gmail.authorization-endpoint", as + "/authorize");
      config.put("plugboard.oauth.providers.gmail.token-endpoint", as + "/token");
      config.put("plugboard.oauth.providers.gmail.revocation-endpoint", as + "/revoke");
      config.put("plugboard.oauth.providers.gmail.issuer", as);
      config.put("plugboard.composio.base-url", composio.baseUrl());
      config.put("plugboard.composio.api-key", "cmp_test_key_connect_links_0001");
      config.put("plugboard.composio.timeout", "5s");
      config.putAll(extra());
      return config;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** More configuration for a variant (the verifier). */
  Map<String, String> extra() {
    return Map.of();
  }

  @Override
  public void stop() {
    if (composio != null) {
      composio.stop();
    }
    if (oauth != null) {
      oauth.shutdown();
    }
  }
}
