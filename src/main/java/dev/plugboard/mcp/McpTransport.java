package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.net.OutboundFailure;

/** Sends JSON-RPC messages to one MCP server over one transport. */
sealed interface McpTransport permits StreamableTransport, ModernTransport, LegacySseTransport {

  /** The response to {@code request} as the server sent it (a JSON-RPC error included). */
  JsonNode call(ObjectNode request) throws McpException, OutboundFailure;

  /** Sends a notification, or a response to a server's request. */
  void send(ObjectNode message) throws McpException, OutboundFailure;

  Upstream upstream();

  /** The {@code result} of a request of Plugboard's own, or a failure. */
  default ObjectNode request(String method, ObjectNode params) throws McpException, OutboundFailure {
    return JsonRpc.result(call(JsonRpc.request(upstream().nextId(), method, params)), method);
  }
}
