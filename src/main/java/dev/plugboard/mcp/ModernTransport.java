package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.net.OutboundFailure;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Streamable HTTP of the 2026-07-28 revision: no handshake and no session; every request carries
 * its version, Plugboard's identity and the client capabilities in {@code _meta}, and mirrors its
 * method, name and annotated arguments into the {@code Mcp-Method}, {@code Mcp-Name} and {@code
 * Mcp-Param-*} headers that strict servers check against the body.
 */
record ModernTransport(Upstream upstream, String endpoint) implements McpTransport {

  private static final Logger LOG = Logger.getLogger(ModernTransport.class);

  static final String VERSION = "2026-07-28";
  static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  static final String META_CLIENT = "io.modelcontextprotocol/clientInfo";
  static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  /** The revision's HeaderMismatch error, also what a server answers when Mcp-Param-* headers are missing. */
  static final int HEADER_MISMATCH = -32020;
  private static final int MAX_SCHEMA_PAGES = 50;
  static final String INPUT_REQUIRED = "input_required";
  /** The revision's MissingRequiredClientCapability error. */
  static final int MISSING_CAPABILITY = -32021;
  /** The gateway's "upstream could not be used" code (the implementation-defined range). */
  static final int INPUT_REQUIRED_FOR_2025 = -32000;

  @Override
  public JsonNode call(ObjectNode request) throws McpException, OutboundFailure {
    String method = request.path("method").asText();
    ObjectNode params = request.get("params") instanceof ObjectNode p ? p : request.putObject("params");
    ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
    meta.put(META_VERSION, VERSION);
    meta.set(META_CLIENT, upstream.clientInfo());
    if (!(meta.get(META_CAPABILITIES) instanceof ObjectNode)) { // an agent of this revision declares its own
      meta.putObject(META_CAPABILITIES);
    }
    // A 2026-07-28 agent's own Mcp-Param-* headers go along unchanged: the body's arguments do too,
    // so the server, which knows the tool's x-mcp-header annotations, checks them against it.
    Map<String, String> agentParams = McpHeaders.agentParams();
    Map<String, String> h = headers(request);
    if (agentParams != null) {
      agentParams.forEach((k, v) -> put(h, k, v));
    }
    Upstream.Answer a = upstream.send(endpoint, h, request, request.get("id"), true);
    if (a.status() == 400 && "tools/call".equals(method) && mismatch(a)) {
      // A tool whose inputSchema asks for Mcp-Param-* headers: read it, as the revision advises.
      Map<String, String> expected = McpHeaders.params(inputSchema(params.path("name").asText()), params.get("arguments"));
      String disagreement = agentParams == null ? null : McpHeaders.disagreement(agentParams, expected);
      if (disagreement != null) {
        // The agent's headers do not say what its body says: refused as the revision requires of a server.
        return JsonRpc.error(request.get("id"), HEADER_MISMATCH, "Header mismatch: " + disagreement);
      }
      if (!expected.isEmpty()) {
        expected.forEach((k, v) -> put(h, k, v));
        a = upstream.send(endpoint, h, request, request.get("id"), true);
      }
    }
    if (agentParams == null) {
      // A 2025 agent, for whom Plugboard declared no capabilities: a server that needs input says so with
      // input_required, or refuses for want of a capability (-32021, HTTP 400 or 200).
      JsonNode body = a.response() != null ? a.response() : JsonRpc.parseQuietly(a.body());
      if (body != null && body.path("error").path("code").asInt(0) == MISSING_CAPABILITY) {
        return inputFor2025Agent(request.get("id"), JsonRpc.NODES.objectNode(), JsonRpc.clean(body.path("error").path("message").asText("")));
      }
    }
    JsonNode response = upstream.answered(a, method, false);
    if (agentParams == null && INPUT_REQUIRED.equals(response.path("result").path("resultType").asText())) {
      return inputFor2025Agent(request.get("id"), response.get("result"), null);
    }
    return "tools/list".equals(method) ? withValidTools(response) : response;
  }

  /** Sets a header, replacing one of the same name in another case. */
  private static void put(Map<String, String> h, String name, String value) {
    h.keySet().removeIf(name::equalsIgnoreCase);
    h.put(name, value);
  }

  /**
   * The server asks for input (multi round-trip) while serving a 2025 agent, which has no way to
   * give it (it declared no capabilities to this server through Plugboard, and its era has no
   * input_required): a clear error naming what was asked, instead of a result it cannot read.
   */
  private static JsonNode inputFor2025Agent(JsonNode id, JsonNode result, String serverSaid) {
    java.util.List<String> asked = new java.util.ArrayList<>();
    result.path("inputRequests").forEach(r -> asked.add(JsonRpc.clean(r.path("method").asText("a request"))));
    if (serverSaid != null && !serverSaid.isBlank()) {
      asked.add(serverSaid);
    }
    ObjectNode error = JsonRpc.error(id, INPUT_REQUIRED_FOR_2025, "the connection's MCP server (2026-07-28) asks for more input" + (asked.isEmpty() ? "" : " (" + String.join("; ", asked) + ")")
        + " before it can answer; only a 2026-07-28 client can give it through Plugboard: connect with one (MCP-Protocol-Version 2026-07-28)");
    ((ObjectNode) error.get("error")).putObject("data").put("reason", "input_required");
    return error;
  }

  /** The protocol headers of one request: version, method and, for a named target, its name. */
  private Map<String, String> headers(ObjectNode request) {
    Map<String, String> h = upstream.headers(null, VERSION, request.path("method").asText());
    String name = McpHeaders.nameOf(request);
    if (name != null) {
      h.put(McpHeaders.NAME, McpHeaders.encode(name));
    }
    return h;
  }

  private static boolean mismatch(Upstream.Answer a) {
    JsonNode body = JsonRpc.parseQuietly(a.body());
    return body != null && body.path("error").path("code").asInt(0) == HEADER_MISMATCH;
  }

  /** The named tool's inputSchema, from the server's tools/list (null when it lists no such tool). */
  private JsonNode inputSchema(String tool) throws McpException, OutboundFailure {
    String cursor = null;
    for (int page = 0; page < MAX_SCHEMA_PAGES; page++) {
      ObjectNode params = JsonRpc.NODES.objectNode();
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      ObjectNode listed = request("tools/list", params);
      for (JsonNode t : listed.path("tools")) {
        if (tool.equals(t.path("name").asText(null))) {
          return t.get("inputSchema");
        }
      }
      JsonNode next = listed.get("nextCursor");
      if (next == null || !next.isTextual() || next.asText().isEmpty()) {
        return null;
      }
      cursor = next.asText();
    }
    return null;
  }

  /** A tools/list answer without the tools whose x-mcp-header annotations are invalid, as the revision requires of a client. */
  private static JsonNode withValidTools(JsonNode response) {
    if (!(response.path("result").get("tools") instanceof ArrayNode tools)) {
      return response;
    }
    ArrayNode kept = JsonRpc.NODES.arrayNode();
    for (JsonNode t : tools) {
      if (McpHeaders.validAnnotations(t.get("inputSchema"))) {
        kept.add(t);
      } else {
        LOG.infof("MCP: tool %s left out: its x-mcp-header annotations break the 2026-07-28 rules", JsonRpc.clean(t.path("name").asText("(no name)")));
      }
    }
    if (kept.size() == tools.size()) {
      return response;
    }
    ObjectNode copy = response.deepCopy();
    ((ObjectNode) copy.get("result")).set("tools", kept);
    return copy;
  }

  @Override
  public void send(ObjectNode message) {
    // Nothing to send: over Streamable HTTP the revision defines no client notifications (cancelling is
    // closing the response stream) and a client sends no responses (server input comes as input_required).
  }
}
