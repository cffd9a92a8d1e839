package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.net.OutboundFailure;

/** Streamable HTTP (2025-03-26 to 2025-11-25) after an {@code initialize} handshake, with or without a session. */
record StreamableTransport(Upstream upstream, String endpoint, String session, String version) implements McpTransport {

  @Override
  public JsonNode call(ObjectNode request) throws McpException, OutboundFailure {
    String method = request.path("method").asText();
    Upstream.Answer a = upstream.send(endpoint, upstream.headers(session, version, null), request, request.get("id"), true);
    return upstream.answered(a, method, session != null);
  }

  /** As {@link #call}, but an event-stream answer is handed back open, to be read as it arrives. */
  Upstream.Opening open(ObjectNode request) throws McpException, OutboundFailure {
    Upstream.Opening o = upstream.open(endpoint, upstream.headers(session, version, null), request, request.get("id"));
    if (o.live() == null) {
      upstream.answered(o.answer(), request.path("method").asText(), session != null);
    }
    return o;
  }

  @Override
  public void send(ObjectNode message) throws McpException, OutboundFailure {
    Upstream.Answer a = upstream.send(endpoint, upstream.headers(session, version, null), message, null, false);
    if (a.status() == 401 || a.status() == 403) {
      throw upstream.auth(a.status(), a.wwwAuthenticate());
    }
    // Other refusals of a notification are left to the next request to surface.
  }
}
