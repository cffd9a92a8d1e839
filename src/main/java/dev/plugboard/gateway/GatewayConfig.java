package dev.plugboard.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code plugboard.gateway.*}: the MCP gateway. */
@ConfigMapping(prefix = "plugboard.gateway")
public interface GatewayConfig {

  /**
   * A session unused for this long is over (the agent gets 404 and initializes again); maintenance
   * deletes it and ends its upstream session. Env {@code PLUGBOARD_GATEWAY_SESSION_IDLE_TIMEOUT}.
   */
  @WithDefault("30m")
  Duration sessionIdleTimeout();

  /**
   * The longest one forwarded message may take upstream (a slow tool call), redirects and answer
   * included. Env {@code PLUGBOARD_GATEWAY_REQUEST_TIMEOUT}.
   */
  @WithDefault("60s")
  Duration requestTimeout();

  /**
   * How long {@code /mcp/v1} waits for one connection's tools when it lists them all (the upstreams
   * are asked concurrently); a connection that takes longer is left out of that listing. Env
   * {@code PLUGBOARD_GATEWAY_LIST_TIMEOUT}.
   */
  @WithDefault("10s")
  Duration listTimeout();

  /**
   * The browser origins ({@code https://app.example.com}) whose pages may call the MCP endpoints;
   * a request with any other {@code Origin} header is refused with 403 (MCP Streamable HTTP, against
   * DNS rebinding). Empty (the default): no browser origin; agents send none. Env {@code
   * PLUGBOARD_GATEWAY_ALLOWED_ORIGINS}, comma-separated.
   */
  Optional<List<String>> allowedOrigins();

  /**
   * How long a {@code requestState} that Plugboard issues to a 2026-07-28 agent (with the connect
   * link of a connection that needs a person) may be presented on the retry; each is usable once.
   * Env {@code PLUGBOARD_GATEWAY_REQUEST_STATE_TTL}.
   */
  @WithDefault("10m")
  Duration requestStateTtl();
}
