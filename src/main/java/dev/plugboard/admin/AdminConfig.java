package dev.plugboard.admin;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** {@code plugboard.admin.*}: the operator API. */
@ConfigMapping(prefix = "plugboard.admin")
public interface AdminConfig {
  /** env {@code PLUGBOARD_ADMIN_TOKEN}; unset: every /admin route answers 404. */
  Optional<String> token();
}
