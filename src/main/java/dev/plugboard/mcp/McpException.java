package dev.plugboard.mcp;

import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Reason;

/** An exchange with an MCP server failed; {@link #failed()} says why in words a person can act on. */
public final class McpException extends Exception {

  private final Failed failed;

  McpException(Reason reason, String message) {
    this(new Failed(reason, message, 0, null));
  }

  public McpException(Failed failed) {
    super(failed.message(), null, false, false);
    this.failed = failed;
  }

  public Failed failed() {
    return failed;
  }
}
