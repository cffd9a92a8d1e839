package dev.plugboard.credential;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * AES-256-GCM for every secret at rest: random 96-bit nonce, AAD binding the ciphertext to its row
 * and field, stored as {@code <key-id>:<base64(nonce || ciphertext+tag)>}. Retired keys still
 * decrypt; only the active key encrypts.
 */
@Startup
@ApplicationScoped
public class Crypto {

  private static final Logger LOG = Logger.getLogger(Crypto.class);


  // Outside the plugboard.crypto prefix: a later Quarkus boot in the same JVM (tests with another
  // profile) validates that prefix against CryptoConfig and would refuse an unknown key.
  private static final String GENERATED_PROPERTY = "dev.plugboard.generated-crypto-key";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKey> keys;
  private final String activeKeyId;

  public Crypto(CryptoConfig config) {
    if (config.keys().isEmpty() || config.keys().get().isBlank()) {
      if (LaunchMode.current() == LaunchMode.NORMAL) {
        throw new IllegalStateException(
            "PLUGBOARD_CRYPTO_KEYS is not set: refusing to start without an encryption key "
                + "(generate one with: echo \"k1:$(openssl rand -base64 32)\")");
      }
      LOG.warn("PLUGBOARD_CRYPTO_KEYS is not set: using a generated key (dev/test only)");
      this.keys = Map.of("dev", generatedKey());
      this.activeKeyId = "dev";
      return;
    }
    this.keys = parse(config.keys().get());
    this.activeKeyId =
        config.activeKey().filter(s -> !s.isBlank()).orElse(keys.keySet().iterator().next());
    if (!keys.containsKey(activeKeyId)) {
      throw new IllegalStateException(
          "PLUGBOARD_CRYPTO_ACTIVE_KEY names key id '" + activeKeyId + "' which is not in PLUGBOARD_CRYPTO_KEYS");
    }
  }

  /** Dev-mode hot reload builds this bean again; the generated key must stay the same. */
  private static synchronized SecretKey generatedKey() {
    String existing = System.getProperty(GENERATED_PROPERTY);
    if (existing == null) {
      byte[] k = new byte[32];
      RANDOM.nextBytes(k);
      existing = Base64.getEncoder().encodeToString(k);
      System.setProperty(GENERATED_PROPERTY, existing);
    }
    return new SecretKeySpec(Base64.getDecoder().decode(existing), "AES");
  }

  static Map<String, SecretKey> parse(String spec) {
    Map<String, SecretKey> parsed = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      if (colon <= 0) {
        throw new IllegalStateException("PLUGBOARD_CRYPTO_KEYS entries must be <id>:<base64 key>");
      }
      String id = trimmed.substring(0, colon);
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(trimmed.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("PLUGBOARD_CRYPTO_KEYS key '" + id + "' is not base64");
      }
      if (raw.length != 32) {
        throw new IllegalStateException("PLUGBOARD_CRYPTO_KEYS key '" + id + "' must be 32 bytes (AES-256)");
      }
      if (parsed.put(id, new SecretKeySpec(raw, "AES")) != null) {
        throw new IllegalStateException("PLUGBOARD_CRYPTO_KEYS names key id '" + id + "' twice");
      }
    }
    if (parsed.isEmpty()) {
      throw new IllegalStateException("PLUGBOARD_CRYPTO_KEYS holds no key");
    }
    return parsed;
  }

  public String activeKeyId() {
    return activeKeyId;
  }

  /** The ids of every configured key (the active one and those kept to decrypt old rows). */
  public java.util.Set<String> keyIds() {
    return java.util.Collections.unmodifiableSet(keys.keySet());
  }

  /**
   * A bearer value only this service can compute again (connect-link tokens, which the database
   * keeps only as a hash): HMAC-SHA256 of {@code context} under a sub-key of key {@code keyId},
   * base64url (256 bits). Empty when that key is no longer configured.
   */
  public java.util.Optional<String> derive(String keyId, String context) {
    SecretKey key = keys.get(keyId);
    if (key == null) {
      return java.util.Optional.empty();
    }
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      byte[] subKey = mac.doFinal("plugboard-derive-v1".getBytes(StandardCharsets.UTF_8));
      mac.init(new SecretKeySpec(subKey, "HmacSHA256"));
      byte[] out = mac.doFinal(context.getBytes(StandardCharsets.UTF_8));
      return java.util.Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("derivation failed", e);
    }
  }

  /** Encrypts {@code plaintext} bound to {@code context} (e.g. {@code "connection_headers.value:<id>"}). */
  public String encrypt(String plaintext, String context) {
    if (plaintext == null) {
      return null;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return activeKeyId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /** Decrypts a value written by {@link #encrypt}; fails loudly (for this value only) on any mismatch. */
  public String decrypt(String stored, String context) {
    if (stored == null) {
      return null;
    }
    int colon = stored.indexOf(':');
    if (colon <= 0) {
      throw new DecryptionException("stored secret has no key id");
    }
    String keyId = stored.substring(0, colon);
    SecretKey key = keys.get(keyId);
    if (key == null) {
      throw new DecryptionException("stored secret uses unknown key id '" + keyId + "'");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new DecryptionException("stored secret failed authentication (key '" + keyId + "')");
    }
  }

  /**
   * An opaque token that only this service can read back (an MCP {@code requestState}): {@code
   * plaintext} encrypted under the active key and bound to {@code purpose}, base64url, safe in JSON
   * and URLs. Retired keys still open it.
   */
  public String seal(String plaintext, String purpose) {
    String stored = encrypt(plaintext, purpose);
    int colon = stored.indexOf(':');
    byte[] sealed = Base64.getDecoder().decode(stored.substring(colon + 1));
    return stored.substring(0, colon) + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
  }

  /** The plaintext of a token {@link #seal}ed for {@code purpose}; empty when it is malformed, tampered with, or of another purpose or key ring. */
  public java.util.Optional<String> open(String token, String purpose) {
    int dot = token == null ? -1 : token.lastIndexOf('.'); // base64url has no dot; a key id may
    if (dot <= 0) {
      return java.util.Optional.empty();
    }
    try {
      byte[] sealed = Base64.getUrlDecoder().decode(token.substring(dot + 1));
      if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(decrypt(token.substring(0, dot) + ":" + Base64.getEncoder().encodeToString(sealed), purpose));
    } catch (IllegalArgumentException | DecryptionException e) {
      return java.util.Optional.empty();
    }
  }

  /** The key id a stored value was encrypted with. */
  public static String keyIdOf(String stored) {
    int colon = stored == null ? -1 : stored.indexOf(':');
    return colon <= 0 ? null : stored.substring(0, colon);
  }

  /** A stored secret could not be decrypted; carries no secret material. */
  public static class DecryptionException extends RuntimeException {
    public DecryptionException(String message) {
      super(message);
    }
  }
}
