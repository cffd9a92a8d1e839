package dev.plugboard.connect;

import java.util.Map;

/** {@link ConnectPeers} with a verifier configured, and without Composio (its links answer 503). */
public class VerifierPeers extends ConnectPeers {

  static final String VERIFIER = "http://app.localhost/plugboard/verify";

  @Override
  Map<String, String> extra() {
    return Map.of("plugboard.connect.verifier-url", VERIFIER, "plugboard.composio.api-key", "");
  }
}
