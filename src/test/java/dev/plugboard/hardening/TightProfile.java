package dev.plugboard.hardening;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Base64;
import java.util.Map;

/** A low rate limit (5/min) and a two-key ring: "old" still decrypts, "new" encrypts. */
public class TightProfile implements QuarkusTestProfile {

  static final int LIMIT = 5;
  static final byte[] OLD_KEY = bytes(1);
  static final byte[] NEW_KEY = bytes(2);

  private static byte[] bytes(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i * 7);
    }
    return k;
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    Base64.Encoder b64 = Base64.getEncoder();
    return Map.of(
        "plugboard.ratelimit.requests-per-minute", String.valueOf(LIMIT),
        "plugboard.crypto.keys", "old:" + b64.encodeToString(OLD_KEY) + ",new:" + b64.encodeToString(NEW_KEY),
        "plugboard.crypto.active-key", "new");
  }
}
