package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.mcp.ToolListing.Reason;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/** JSON-RPC 2.0 messages as MCP uses them: building, matching and reading them. */
public final class JsonRpc {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonRpc() {}

  public static ObjectNode request(JsonNode id, String method, ObjectNode params) {
    ObjectNode msg = NODES.objectNode();
    msg.put("jsonrpc", "2.0");
    msg.set("id", id);
    msg.put("method", method);
    msg.set("params", params);
    return msg;
  }

  public static ObjectNode notification(String method) {
    ObjectNode msg = NODES.objectNode();
    msg.put("jsonrpc", "2.0");
    msg.put("method", method);
    return msg;
  }

  /** An error response to {@code id} (null: JSON null, for a message whose id is unknown). */
  public static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode r = NODES.objectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", id == null ? NODES.nullNode() : id);
    r.putObject("error").put("code", code).put("message", message);
    return r;
  }

  public static boolean isRequest(JsonNode m) {
    return m.hasNonNull("method") && m.has("id");
  }

  /** The answer a client gives to a server's request: a ping is answered, anything else is not offered. */
  static ObjectNode replyTo(JsonNode request) {
    if ("ping".equals(request.get("method").asText())) {
      ObjectNode reply = NODES.objectNode();
      reply.put("jsonrpc", "2.0");
      reply.set("id", request.get("id"));
      reply.putObject("result");
      return reply;
    }
    return error(request.get("id"), -32601, "Method not found");
  }

  /** The response to {@code id} in a JSON body (a single message or a batch), or null. */
  static JsonNode responseIn(JsonNode body, JsonNode id) {
    if (body == null) {
      return null;
    }
    for (JsonNode m : body.isArray() ? body : List.of(body)) {
      if (m.isObject() && !m.has("method") && sameId(m.get("id"), id)) {
        return m;
      }
    }
    return null;
  }

  /** The response to {@code id} in a JSON body, or a protocol failure. */
  static JsonNode pick(JsonNode body, JsonNode id, String method) throws McpException {
    JsonNode response = responseIn(body, id);
    if (response == null) {
      throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not a JSON-RPC response to it");
    }
    return response;
  }

  /** The {@code result} object of a response, or the failure its error means. */
  static ObjectNode result(JsonNode response, String method) throws McpException {
    JsonNode error = response.get("error");
    if (error != null && !error.isNull()) {
      String message = clean(error.path("message").asText("no message"));
      throw new McpException(Reason.SERVER_ERROR, "the server answered " + method + " with an error: " + message + " (" + error.path("code").asText("?") + ")");
    }
    if (!(response.get("result") instanceof ObjectNode result)) {
      throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " has no result object");
    }
    return result;
  }

  /** Ids match as JSON-RPC means them; a server that turns 1 into "1" is tolerated. */
  static boolean sameId(JsonNode id, JsonNode expected) {
    if (id == null || expected == null || id.isNull() || expected.isNull()) {
      return false;
    }
    if (id.isIntegralNumber() && expected.isIntegralNumber()) {
      return id.asLong() == expected.asLong();
    }
    return (id.isTextual() || id.isIntegralNumber()) && id.asText().equals(expected.asText());
  }

  /** Errors only a 2026-07-28 server sends, which mean "speak the modern revision". */
  static boolean isModernError(JsonNode error, int status) {
    int code = error.path("code").asInt(0);
    return code == -32020
        || code == -32021
        || code == -32022
        || (code == -32601 && status == 404)
        || error.path("data").path("supported").isArray();
  }

  static JsonNode parse(byte[] body, String method) throws McpException {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || node.isMissingNode() || !(node.isObject() || node.isArray())) {
        throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not valid JSON");
    }
  }

  static JsonNode parseQuietly(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static final Pattern JSON_SUFFIX = Pattern.compile("^application/[a-z0-9.+-]*\\+json.*");

  static boolean isJson(String contentType) {
    return contentType.startsWith("application/json") || JSON_SUFFIX.matcher(contentType).matches();
  }

  static String text(JsonNode node, String fallback) {
    return node != null && node.isTextual() ? node.asText() : fallback;
  }

  /** Server text made fit for a message: printable, short. */
  public static String clean(String s) {
    String printable = s.replaceAll("[\\p{Cntrl}]", " ").strip();
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }
}
