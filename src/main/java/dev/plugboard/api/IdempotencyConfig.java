package dev.plugboard.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code plugboard.idempotency.*}: how long {@code Idempotency-Key} results are kept. */
@ConfigMapping(prefix = "plugboard.idempotency")
public interface IdempotencyConfig {

  /** How long a stored response is replayed; env {@code PLUGBOARD_IDEMPOTENCY_TTL}. */
  @WithDefault("24h")
  Duration ttl();

  /**
   * How long an in-flight record blocks repeats (409) before a repeat may take it over, in case the
   * replica running the first request died; env {@code PLUGBOARD_IDEMPOTENCY_IN_FLIGHT_LEASE}.
   */
  @WithDefault("60s")
  Duration inFlightLease();
}
