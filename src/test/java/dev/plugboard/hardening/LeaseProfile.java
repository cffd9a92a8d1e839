package dev.plugboard.hardening;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * 30 requests/minute with leases of up to 10 tokens: batching shows, and the bucket refills only one
 * token every 2 s, so a burst normally gets exactly the limit and bounds allowing for refill stay tight.
 */
public class LeaseProfile implements QuarkusTestProfile {

  static final int LIMIT = 30;
  static final int CAP = 10;

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "plugboard.ratelimit.requests-per-minute", String.valueOf(LIMIT),
        "plugboard.ratelimit.lease-max-tokens", String.valueOf(CAP));
  }
}
