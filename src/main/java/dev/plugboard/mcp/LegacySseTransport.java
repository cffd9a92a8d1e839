package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.net.OutboundFailure;
import java.util.Map;

/** The deprecated HTTP+SSE transport: POSTs to the endpoint, answers arrive as {@code message} events on the GET stream. */
record LegacySseTransport(Upstream upstream, String endpoint, SseEvents events) implements McpTransport {

  private Map<String, String> postHeaders() {
    return upstream.headers(null, null, null);
  }

  @Override
  public JsonNode call(ObjectNode request) throws McpException, OutboundFailure {
    String method = request.path("method").asText();
    JsonNode id = request.get("id");
    Upstream.Answer a = upstream.send(endpoint, postHeaders(), request, id, false);
    if (!a.ok()) {
      return upstream.answered(a, method, false);
    }
    JsonNode response = a.response();
    if (response == null) {
      response = upstream.awaitResponse(events, id, method, reply -> upstream.send(endpoint, postHeaders(), reply, null, false));
    }
    if (response == null) {
      throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the event stream ended without the answer to " + method);
    }
    return response;
  }

  @Override
  public void send(ObjectNode message) throws McpException, OutboundFailure {
    Upstream.Answer a = upstream.send(endpoint, postHeaders(), message, null, false);
    if (a.status() == 401 || a.status() == 403) {
      throw upstream.auth(a.status(), a.wwwAuthenticate());
    }
  }
}
