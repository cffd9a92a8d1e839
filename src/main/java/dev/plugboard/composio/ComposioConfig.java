package dev.plugboard.composio;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code plugboard.composio.*}: where Composio is and how Plugboard authenticates to it. */
@ConfigMapping(prefix = "plugboard.composio")
public interface ComposioConfig {

  /** env {@code PLUGBOARD_COMPOSIO_BASE_URL}; operator configuration, so private addresses are allowed. */
  @WithDefault("https://backend.composio.dev")
  String baseUrl();

  /** env {@code PLUGBOARD_COMPOSIO_API_KEY}, sent as {@code x-api-key}; unset: the Composio endpoints answer 503. */
  Optional<String> apiKey();

  /** env {@code PLUGBOARD_COMPOSIO_TIMEOUT}: connect and read timeout of every call to Composio. */
  @WithDefault("10s")
  Duration timeout();

  /**
   * env {@code PLUGBOARD_COMPOSIO_UNFINALIZED_TTL}: how long a started account may wait for finalize
   * before maintenance deletes it at Composio (the user abandoned the consent screen).
   */
  @WithDefault("24h")
  Duration unfinalizedTtl();
}
