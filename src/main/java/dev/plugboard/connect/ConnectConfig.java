package dev.plugboard.connect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code plugboard.connect.*} (DESIGN §13). */
@ConfigMapping(prefix = "plugboard.connect")
public interface ConnectConfig {

  /** Lifetime of a link when the request gives no {@code expires_in}. */
  @WithDefault("15m")
  Duration linkTtl();

  /**
   * The operator's page that confirms the person (env {@code PLUGBOARD_CONNECT_VERIFIER_URL}); unset:
   * a link is a bearer capability for its creator.
   */
  Optional<String> verifierUrl();

  /** Title of the hosted page. */
  @WithDefault("Plugboard")
  String productName();
}
