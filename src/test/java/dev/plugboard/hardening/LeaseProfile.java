package dev.plugboard.hardening;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * 60 requests/minute with leases of up to 10 tokens: batching shows, and the bucket refills only one
 * token a second, so bounds that allow for the refill stay tight.
 */
public class LeaseProfile implements QuarkusTestProfile {

  static final int LIMIT = 60;
  static final int CAP = 10;

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "plugboard.ratelimit.requests-per-minute", String.valueOf(LIMIT),
        "plugboard.ratelimit.lease-max-tokens", String.valueOf(CAP));
  }
}
