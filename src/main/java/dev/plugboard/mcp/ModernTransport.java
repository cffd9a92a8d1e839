package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.net.OutboundFailure;

/** Streamable HTTP of the 2026-07-28 revision: no handshake, version and identity in every request's {@code _meta}. */
record ModernTransport(Upstream upstream, String endpoint) implements McpTransport {

  static final String VERSION = "2026-07-28";

  @Override
  public JsonNode call(ObjectNode request) throws McpException, OutboundFailure {
    String method = request.path("method").asText();
    ObjectNode params = request.get("params") instanceof ObjectNode p ? p : request.putObject("params");
    ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", VERSION);
    meta.set("io.modelcontextprotocol/clientInfo", upstream.clientInfo());
    meta.putObject("io.modelcontextprotocol/clientCapabilities");
    Upstream.Answer a = upstream.send(endpoint, upstream.headers(null, VERSION, method), request, request.get("id"), true);
    return upstream.answered(a, method, false);
  }

  @Override
  public void send(ObjectNode message) throws McpException, OutboundFailure {
    // The revision has no client notifications a server depends on (no initialized, no session).
    Upstream.Answer a = upstream.send(endpoint, upstream.headers(null, VERSION, message.path("method").asText(null)), message, null, false);
    if (a.status() == 401 || a.status() == 403) {
      throw upstream.auth(a.status(), a.wwwAuthenticate());
    }
  }
}
