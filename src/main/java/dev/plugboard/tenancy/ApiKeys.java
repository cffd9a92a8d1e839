package dev.plugboard.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Key format: {@code pb_} + 43 base64url characters (32 random bytes). Stored as SHA-256. */
public final class ApiKeys {

  public static final String SCHEME_PREFIX = "pb_";
  public static final int VISIBLE_PREFIX_LENGTH = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return SCHEME_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String prefix(String key) {
    return key.substring(0, Math.min(VISIBLE_PREFIX_LENGTH, key.length()));
  }

  /** Cloned per call: cheaper than the provider lookup of {@code getInstance} on every request. */
  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] hash(String key) {
    try {
      return ((MessageDigest) SHA_256.clone()).digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A cheap shape check so garbage never reaches the database. */
  public static boolean wellFormed(String key) {
    if (key.length() < 20 || key.length() > 200) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }
}
