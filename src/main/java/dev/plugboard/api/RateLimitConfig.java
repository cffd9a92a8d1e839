package dev.plugboard.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code plugboard.ratelimit.*}: the per-API-key limit of {@code /v1}. */
@ConfigMapping(prefix = "plugboard.ratelimit")
public interface RateLimitConfig {

  /** Requests per minute per API key (also the burst); env {@code PLUGBOARD_RATELIMIT_REQUESTS_PER_MINUTE}. */
  @WithDefault("300")
  int requestsPerMinute();
}
