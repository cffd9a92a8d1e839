package dev.plugboard.oauth;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/**
 * For callers that use a connection's token themselves (the MCP gateway): after the server refused
 * the bearer it was sent (401), one more refresh through the single-flight refresher.
 */
@ApplicationScoped
public class BearerRenewal {

  private final TokenRefresher refresher;

  BearerRenewal(TokenRefresher refresher) {
    this.refresher = refresher;
  }

  /** True when a newer access token than the one in {@code sent} is now stored; resolve the connection again. */
  public boolean renew(UUID connectionId, Map<String, String> sent) {
    String rejected = null;
    for (Map.Entry<String, String> h : sent.entrySet()) {
      if (h.getKey().equalsIgnoreCase("Authorization") && h.getValue().regionMatches(true, 0, "Bearer ", 0, 7)) {
        rejected = h.getValue().substring(7).trim();
      }
    }
    return rejected != null && refresher.afterRejection(connectionId, rejected).isPresent();
  }
}
