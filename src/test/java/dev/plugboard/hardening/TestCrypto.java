package dev.plugboard.hardening;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The stored format "<key-id>:base64(nonce || AES-GCM ciphertext+tag)", written independently of the app. */
final class TestCrypto {

  private TestCrypto() {}

  static String encrypt(String keyId, byte[] key, String plain, String aad) throws Exception {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
    byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[12 + sealed.length];
    System.arraycopy(nonce, 0, out, 0, 12);
    System.arraycopy(sealed, 0, out, 12, sealed.length);
    return keyId + ":" + Base64.getEncoder().encodeToString(out);
  }

  static String decrypt(byte[] key, String stored, String aad) throws Exception {
    byte[] in = Base64.getDecoder().decode(stored.substring(stored.indexOf(':') + 1));
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, in, 0, 12));
    c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
    return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
  }
}
