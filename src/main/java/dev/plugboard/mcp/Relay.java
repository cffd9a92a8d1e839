package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/** Where a forwarded request hands what the server sends while answering it, as it arrives. */
public interface Relay {

  /** A notification (progress, log message, ...). */
  void notification(JsonNode notification);

  /**
   * A server request other than ping (sampling, elicitation, roots, ...): true when it went on to the
   * agent, who answers it itself; false to have Plugboard answer that it does not offer the method.
   */
  boolean request(JsonNode request);
}
