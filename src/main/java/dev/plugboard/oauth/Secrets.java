package dev.plugboard.oauth;

import dev.plugboard.credential.OpaqueTokens;
import java.util.Base64;

/** Random values of the authorization code flow: state (256 bits) and PKCE S256 (RFC 7636). */
final class Secrets {

  private Secrets() {}

  /** 32 random bytes, base64url without padding (43 characters). */
  static String random256() {
    return OpaqueTokens.random256();
  }

  static byte[] sha256(String s) {
    return OpaqueTokens.sha256(s);
  }

  static String s256Challenge(String verifier) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
  }
}
