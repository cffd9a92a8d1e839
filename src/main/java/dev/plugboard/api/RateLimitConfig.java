package dev.plugboard.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalInt;

/** {@code plugboard.ratelimit.*}: the per-API-key limit of {@code /v1}. */
@ConfigMapping(prefix = "plugboard.ratelimit")
public interface RateLimitConfig {

  /** Requests per minute per API key (also the burst); env {@code PLUGBOARD_RATELIMIT_REQUESTS_PER_MINUTE}. */
  @WithDefault("300")
  int requestsPerMinute();

  /** How long a replica may keep tokens it claimed from the shared bucket before handing them back. */
  @WithDefault("2s")
  Duration leaseLifetime();

  /** The most tokens one claim takes; unset = max(1, requests-per-minute / 30), i.e. 2 s of refill. */
  OptionalInt leaseMaxTokens();

  /** API keys whose lease state a replica keeps in memory; beyond that a key claims one token per request. */
  @WithDefault("10000")
  int leaseMaxKeys();
}
