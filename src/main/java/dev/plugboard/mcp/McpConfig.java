package dev.plugboard.mcp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code plugboard.mcp.*}: limits of the MCP client. Timeouts and size caps are the outbound policy's. */
@ConfigMapping(prefix = "plugboard.mcp")
public interface McpConfig {

  /** At most this many {@code tools/list} pages are followed (a cursor loop ends here). */
  @WithDefault("50")
  int maxPages();

  /** At most this many tools are accepted from one server. */
  @WithDefault("2000")
  int maxTools();
}
