package dev.plugboard.connection;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** {@code plugboard.internal.*}: the service token of {@code /internal/v1} (agent runtimes). */
@ConfigMapping(prefix = "plugboard.internal")
public interface InternalConfig {
  /** env {@code PLUGBOARD_INTERNAL_TOKEN}; unset: the internal API answers 404. */
  Optional<String> token();
}
