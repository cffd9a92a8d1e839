package dev.plugboard.composio;

import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.CredentialResolver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/** Composio's MCP URLs need the project key: added at resolve time, never stored per connection. */
@ApplicationScoped
public class ComposioCredentials implements CredentialResolver {

  @Inject ComposioConfig config;

  @Override
  public void contribute(ConnectionView connection, Map<String, String> headers) {
    if ("composio".equals(connection.provider())) {
      config.apiKey().filter(k -> !k.isBlank()).ifPresent(k -> headers.put(ComposioApi.KEY_HEADER, k));
    }
  }
}
