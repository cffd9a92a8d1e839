package dev.plugboard.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** The guard of the operator and internal APIs: a static bearer token from configuration. */
public final class ServiceTokens {

  private ServiceTokens() {}

  /**
   * Passes when {@code authorization} is {@code Bearer <configured>}. With no token configured the
   * API does not exist (404); otherwise a wrong or missing token is 401.
   */
  public static void check(Optional<String> configured, String authorization) {
    if (configured.isEmpty() || configured.get().isBlank()) {
      throw ApiException.notFound("resource");
    }
    String given = bearer(authorization);
    if (given == null
        || !MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), configured.get().getBytes(StandardCharsets.UTF_8))) {
      throw ApiException.invalidToken();
    }
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null. */
  public static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
