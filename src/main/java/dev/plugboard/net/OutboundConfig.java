package dev.plugboard.net;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code plugboard.outbound.*}: the policy for every request to a user-supplied URL (DESIGN §8). */
@ConfigMapping(prefix = "plugboard.outbound")
public interface OutboundConfig {

  /** Allow plain {@code http} targets (env PLUGBOARD_OUTBOUND_ALLOW_HTTP). On in dev and test. */
  @WithDefault("false")
  boolean allowHttp();

  /**
   * Allow loopback, private, link-local, CGNAT and other non-public targets (env
   * PLUGBOARD_OUTBOUND_ALLOW_PRIVATE_NETWORKS). On in dev and test, off in prod.
   */
  @WithDefault("false")
  boolean allowPrivateNetworks();

  @WithDefault("5s")
  Duration connectTimeout();

  /** Deadline of one whole call, redirects and body included. */
  @WithDefault("15s")
  Duration totalTimeout();

  @WithDefault("4194304")
  int maxResponseBytes();

  @WithDefault("3")
  int maxRedirects();

  /**
   * Kept-alive connections to one server (host and port) at most (env
   * PLUGBOARD_OUTBOUND_MAX_CONNECTIONS_PER_HOST). HTTP/1.1 carries one request at a time per
   * connection, so this is how many calls to one upstream run at once; beyond it, requests wait for a
   * connection (at most until their own deadline).
   */
  @WithDefault("256")
  int maxConnectionsPerHost();

  /**
   * A kept-alive connection idle this long is closed by Plugboard (whole seconds; env
   * PLUGBOARD_OUTBOUND_IDLE_TIMEOUT). Shorter than the servers' own idle timeouts (Node.js: 5 s),
   * so Plugboard, not the server, ends an idle connection and no request is sent on one the server
   * is closing at that moment.
   */
  @WithDefault("4s")
  Duration idleTimeout();
}
