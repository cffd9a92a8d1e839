package dev.plugboard.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code plugboard.webhooks.*} (DESIGN §14); env PLUGBOARD_WEBHOOKS_*. */
@ConfigMapping(prefix = "plugboard.webhooks")
public interface WebhooksConfig {

  /** Allow plain {@code http} endpoint URLs (env PLUGBOARD_WEBHOOKS_ALLOW_HTTP). */
  @WithDefault("false")
  boolean allowHttp();

  /**
   * Allow endpoints on loopback, private, link-local and other non-public addresses, checked when
   * connecting (env PLUGBOARD_WEBHOOKS_ALLOW_PRIVATE_NETWORKS): for in-cluster receivers.
   */
  @WithDefault("false")
  boolean allowPrivateNetworks();

  /** A delivery succeeds on a 2xx within this. */
  @WithDefault("10s")
  Duration timeout();

  /** After a rotation, deliveries are signed with the old secret too for this long. */
  @WithDefault("24h")
  Duration secretOverlap();

  /** Ended deliveries (and their events) are purged by maintenance after this. */
  @WithDefault("7d")
  Duration retention();
}
