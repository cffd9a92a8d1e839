package dev.plugboard.credential;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Plain unit tests of the cipher (no application needed). */
class CryptoTest {

  static String key(int fill) {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) fill);
    return Base64.getEncoder().encodeToString(k);
  }

  static Crypto crypto(String keys, String active) {
    return new Crypto(
        new CryptoConfig() {
          public Optional<String> keys() {
            return Optional.of(keys);
          }

          public Optional<String> activeKey() {
            return Optional.ofNullable(active);
          }
        });
  }

  @Test
  void roundTripAndFormat() {
    Crypto c = crypto("k1:" + key(1), "k1");
    String sealed = c.encrypt("hello secret", "t.f:1");
    assertTrue(sealed.startsWith("k1:"));
    assertFalse(sealed.contains("hello"));
    assertNotEquals(sealed, c.encrypt("hello secret", "t.f:1"), "random nonce");
    assertEquals("hello secret", c.decrypt(sealed, "t.f:1"));
  }

  @Test
  void wrongContextOrTamperingFails() {
    Crypto c = crypto("k1:" + key(1), null);
    String sealed = c.encrypt("v", "row:1");
    assertThrows(Crypto.DecryptionException.class, () -> c.decrypt(sealed, "row:2"));
    String flipped = sealed.substring(0, sealed.length() - 3) + (sealed.endsWith("A==") ? "B==" : "A==");
    assertThrows(Crypto.DecryptionException.class, () -> c.decrypt(flipped, "row:1"));
    assertThrows(Crypto.DecryptionException.class, () -> c.decrypt("nokey", "row:1"));
  }

  @Test
  void retiredKeysStillDecryptUnknownOnesFailLoudly() {
    Crypto old = crypto("k1:" + key(1), "k1");
    String sealed = old.encrypt("v", "ctx");
    Crypto rotated = crypto("k1:" + key(1) + ",k2:" + key(2), "k2");
    assertEquals("v", rotated.decrypt(sealed, "ctx"));
    assertTrue(rotated.encrypt("v", "ctx").startsWith("k2:"));
    Crypto other = crypto("k3:" + key(3), "k3");
    Crypto.DecryptionException e = assertThrows(Crypto.DecryptionException.class, () -> other.decrypt(sealed, "ctx"));
    assertTrue(e.getMessage().contains("k1"));
  }

  @Test
  void badKeyConfigurationRefusesToStart() {
    assertThrows(IllegalStateException.class, () -> crypto("k1:" + Base64.getEncoder().encodeToString(new byte[16]), null));
    assertThrows(IllegalStateException.class, () -> crypto("k1", null));
    assertThrows(IllegalStateException.class, () -> crypto("k1:%%%", null));
    assertThrows(IllegalStateException.class, () -> crypto("k1:" + key(1), "k9"));
    assertThrows(IllegalStateException.class, () -> crypto("k1:" + key(1) + ",k1:" + key(2), null));
  }

  @Test
  void sealedTokensOpenOnlyUntouchedForTheirPurposeUnderAConfiguredKey() {
    Crypto c = crypto("k1:" + key(1), "k1");
    String token = c.seal("{\"id\":1}", "mcp-request-state");
    assertTrue(token.matches("k1\\.[A-Za-z0-9_-]+"), token);
    assertEquals(Optional.of("{\"id\":1}"), c.open(token, "mcp-request-state"));
    assertEquals(Optional.empty(), c.open(token, "another-purpose"));
    char last = token.charAt(token.length() - 1);
    assertEquals(Optional.empty(), c.open(token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A'), "mcp-request-state"));
    for (String junk : new String[] {"", "k1.", "k1.AAAA", "k9." + token.substring(3), "no-dot", "k1.!!!"}) {
      assertEquals(Optional.empty(), c.open(junk, "mcp-request-state"), junk);
    }
    // a rotated ring still opens what the retired key sealed; one without that key does not
    assertEquals(Optional.of("{\"id\":1}"), crypto("k2:" + key(2) + ",k1:" + key(1), "k2").open(token, "mcp-request-state"));
    assertEquals(Optional.empty(), crypto("k2:" + key(2), "k2").open(token, "mcp-request-state"));
  }
}
