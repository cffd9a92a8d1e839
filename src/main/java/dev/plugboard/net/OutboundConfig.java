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
}
