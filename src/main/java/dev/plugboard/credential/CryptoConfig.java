package dev.plugboard.credential;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** {@code plugboard.crypto.*}: the key ring that encrypts every secret at rest. */
@ConfigMapping(prefix = "plugboard.crypto")
public interface CryptoConfig {

  /** {@code id1:base64(32 bytes),id2:base64(32 bytes)}; env {@code PLUGBOARD_CRYPTO_KEYS}. */
  Optional<String> keys();

  /** Id of the key that encrypts new writes; env {@code PLUGBOARD_CRYPTO_ACTIVE_KEY}. */
  Optional<String> activeKey();
}
