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
    Map<String, String> h = headers(request);
    Upstream.Answer a = upstream.send(endpoint, h, request, request.get("id"), true);
    if (a.status() == 400 && "tools/call".equals(method) && mismatch(a)) {
      // A tool whose inputSchema asks for Mcp-Param-* headers: read it, as the revision advises, and send again.
      Map<String, String> params2 = McpHeaders.params(inputSchema(params.path("name").asText()), params.get("arguments"));
      if (!params2.isEmpty()) {
        h.putAll(params2);
        a = upstream.send(endpoint, h, request, request.get("id"), true);
      }
    }
    JsonNode response = upstream.answered(a, method, false);
    return "tools/list".equals(method) ? withValidTools(response) : response;
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
