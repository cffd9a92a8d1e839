package dev.plugboard.oauth;

import dev.plugboard.oauth.FlowService.Outcome;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the callback of a flow started for a connect link reports (DESIGN §13). Declared here and
 * implemented by {@code connect/}, above this package, so that oauth/ never imports it.
 */
public interface LinkedFlows {

  /**
   * Until when granted tokens must wait for a verifier before they are written; empty when the
   * link writes its connection at once.
   */
  Optional<Instant> holdUntil(UUID linkId);

  /** The connection is written; runs inside that transaction. Returns where the browser goes. */
  Outcome completed(UUID linkId, UUID connectionId);

  /** The tokens wait in flow {@code flowId} for the verifier. Returns where the browser goes. */
  Outcome held(UUID linkId, UUID flowId);

  /** The flow failed with this error code. Returns where the browser goes. */
  Outcome failed(UUID linkId, String error);

  /** Held tokens could not be written (expired, or the creator lost access); {@code code} says why. */
  final class HeldFailure extends RuntimeException {
    private final String code;

    public HeldFailure(String code) {
      super(code, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
