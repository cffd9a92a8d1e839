package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.gateway.GatewayService.Reply;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.McpHeaders;
import dev.plugboard.tenancy.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Agents of the MCP 2026-07-28 revision on both gateway endpoints, beside the 2025 ones. The era is
 * chosen per request as the revision describes: a request whose {@code _meta} claims a protocol
 * version (or whose {@code MCP-Protocol-Version} names the modern revision) is served statelessly
 * under it; {@code initialize} and everything else keep the 2025 behaviour with its session.
 *
 * <p>A modern request is checked (version, the {@code Mcp-Method} / {@code Mcp-Name} headers against
 * the body, the required {@code _meta} fields) and answered with the revision's errors. {@code
 * server/discover} is answered by Plugboard; any other request is served by the endpoint's own
 * 2025 path inside a session that exists only for that request (opened, used, ended), so tool
 * policy, audit and upstream handling are the very same and nothing outlives the request.
 */
@ApplicationScoped
public class ModernAgents {

  static final String VERSION = "2026-07-28";
  /** What both endpoints speak, newest first: the modern revision, then the handshake ones. */
  static final List<String> SUPPORTED = List.of(VERSION, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");

  static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  static final String META_SERVER = "io.modelcontextprotocol/serverInfo";

  /** The methods whose complete results carry caching hints. */
  static final Set<String> CACHEABLE = Set.of("server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read");

  static final int HEADER_MISMATCH = -32020;
  static final int UNSUPPORTED_VERSION = -32022;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] INITIALIZED = bytes(JsonRpc.notification("notifications/initialized"));

  /** The methods that may answer {@code input_required} (multi round-trip requests). */
  static final Set<String> MULTI_ROUND_TRIP = Set.of("tools/call", "prompts/get", "resources/read");
  /** The input request under which Plugboard asks a person to open a connect link. */
  static final String CONNECT_INPUT = "plugboard_connect";

  /** The protocol headers of one POST, as the agent sent them ({@code params}: its Mcp-Param-* headers). */
  public record Claimed(String version, String method, String name, Map<String, String> params) {
    public Claimed(String version, String method, String name) {
      this(version, method, name, Map.of());
    }
  }

  /** One gateway endpoint as its 2025 path serves it, for one caller. */
  interface Endpoint {
    Reply post(String sessionId, byte[] body, boolean acceptsStream);

    void delete(String sessionId);
  }

  private final GatewayService gateway;
  private final AggregateService aggregate;
  private final RequestStates states;

  ModernAgents(GatewayService gateway, AggregateService aggregate, RequestStates states) {
    this.gateway = gateway;
    this.aggregate = aggregate;
    this.states = states;
  }

  /** The answer to a modern request on {@code /mcp/v1/connections/{id}}, or null when the request belongs to the 2025 path. */
  public Reply perConnection(Caller caller, UUID connectionId, Claimed claimed, byte[] body, boolean acceptsStream) {
    return serve(
        new Endpoint() {
          @Override
          public Reply post(String sessionId, byte[] b, boolean stream) {
            return gateway.post(caller, connectionId, sessionId, null, b, stream);
          }

          @Override
          public void delete(String sessionId) {
            gateway.delete(caller, connectionId, sessionId);
          }
        },
        caller,
        "connection:" + connectionId,
        claimed,
        body,
        acceptsStream);
  }

  /** The answer to a modern request on {@code /mcp/v1}, or null when the request belongs to the 2025 path. */
  public Reply aggregate(Caller caller, Claimed claimed, byte[] body, boolean acceptsStream) {
    return serve(
        new Endpoint() {
          @Override
          public Reply post(String sessionId, byte[] b, boolean stream) {
            return aggregate.post(caller, sessionId, null, b, stream);
          }

          @Override
          public void delete(String sessionId) {
            aggregate.delete(caller, sessionId);
          }
        },
        caller,
        "aggregate",
        claimed,
        body,
        acceptsStream);
  }

  Reply serve(Endpoint endpoint, Caller caller, String target, Claimed claimed, byte[] body, boolean acceptsStream) {
    ObjectNode message = modernMessage(body, claimed);
    if (message == null) {
      return null;
    }
    JsonNode id = message.get("id");
    if (!message.hasNonNull("method")) {
      return refuse(id, -32600, "Invalid Request: a 2026-07-28 client sends no JSON-RPC responses");
    }
    Reply refusal = check(message, claimed);
    if (refusal != null) {
      return refusal;
    }
    if (!JsonRpc.isRequest(message)) {
      return Reply.accepted(); // the revision defines no client notifications over Streamable HTTP
    }
    String method = message.get("method").asText();
    if ("subscriptions/listen".equals(method)) {
      // a stream that stays open has no place in a per-request session
      return new Reply(404, List.of(JsonRpc.error(id, -32601, "Method not found: Plugboard offers no subscriptions/listen stream")), false, null);
    }
    // The request as Plugboard's own requestState binds it: endpoint (and connection), method, name.
    String request = target + "\n" + method + "\n" + McpHeaders.nameOf(message);
    JsonNode state = message.path("params").get("requestState");
    if (MULTI_ROUND_TRIP.contains(method) && state != null && state.isTextual() && RequestStates.ours(state.asText())) {
      if (states.redeem(state.asText(), caller.apiKeyId(), request) != RequestStates.Redeemed.VALID) {
        ObjectNode error = JsonRpc.error(id, GatewayService.INVALID_PARAMS, "Invalid or expired requestState");
        ((ObjectNode) error.get("error")).putObject("data").put("reason", "invalid_request_state");
        return Reply.json(200, error);
      }
      if (PersonNeeded.CONNECT_TOOL.equals(McpHeaders.nameOf(message))) {
        // plugboard__connect's whole work was handing the link over; calling it again would only hand out another.
        ObjectNode done = JSON.createObjectNode().put("resultType", "complete");
        done.putArray("content").addObject().put("type", "text").put("text", "The link was handed to the person. Once they have finished, call the tool you wanted again.");
        return Reply.json(200, AggregateService.response(id, done));
      }
      // The person was asked by Plugboard, not by the server: the retry goes on as the original request.
      ObjectNode params = (ObjectNode) message.get("params");
      params.remove("requestState");
      params.remove("inputResponses");
      body = bytes(message);
    }
    byte[] forwarded = body;
    return McpHeaders.asModernAgent(claimed.params(), () -> perRequest(endpoint, caller, request, message, forwarded, acceptsStream));
  }

  /** Serves the request inside a session opened for it alone, and ends that session. */
  private Reply perRequest(Endpoint endpoint, Caller caller, String request, ObjectNode message, byte[] body, boolean acceptsStream) {
    JsonNode id = message.get("id");
    String method = message.get("method").asText();
    Reply opened = endpoint.post(null, bytes(initialize(message)), false);
    if (opened.sessionId() == null) {
      return asAnswerTo(id, opened);
    }
    try {
      if ("server/discover".equals(method)) {
        return Reply.json(200, discovered(id, opened.messages().get(0).path("result")));
      }
      endpoint.post(opened.sessionId(), INITIALIZED, false);
      return asModern(method, endpoint.post(opened.sessionId(), body, acceptsStream), caller, request);
    } finally {
      try {
        endpoint.delete(opened.sessionId());
      } catch (ApiException e) { // the upstream already ended it (404): nothing is left to end
      }
    }
  }

  /** The message when the request is of the modern era (its _meta claims a version, or its header names the modern one), else null. */
  static ObjectNode modernMessage(byte[] body, Claimed claimed) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(body);
    } catch (IOException e) {
      return null; // the 2025 path answers the parse error
    }
    if (!(parsed instanceof ObjectNode message) || "initialize".equals(message.path("method").asText())) {
      return null;
    }
    boolean claims = message.path("params").path("_meta").has(META_VERSION);
    return claims || VERSION.equals(claimed.version()) ? message : null;
  }

  /** The revision's checks, in its order: the version, the envelope, then each header against the body. */
  private static Reply check(ObjectNode message, Claimed claimed) {
    JsonNode id = message.get("id");
    JsonNode meta = message.path("params").path("_meta");
    if (!meta.path(META_VERSION).isTextual()) {
      return refuse(id, -32602, "Invalid params: _meta[\"" + META_VERSION + "\"] is required");
    }
    String version = meta.get(META_VERSION).asText();
    if (!VERSION.equals(version)) {
      ObjectNode error = JsonRpc.error(id, UNSUPPORTED_VERSION, "Unsupported protocol version: " + JsonRpc.clean(version));
      ObjectNode data = ((ObjectNode) error.get("error")).putObject("data");
      SUPPORTED.forEach(data.putArray("supported")::add);
      data.put("requested", version);
      return Reply.json(400, error);
    }
    if (!JsonRpc.isRequest(message)) {
      return null; // the revision sets no header requirements for notifications
    }
    if (!(meta.get(META_CAPABILITIES) instanceof ObjectNode)) {
      return refuse(id, -32602, "Invalid params: _meta[\"" + META_CAPABILITIES + "\"] is required");
    }
    String method = message.get("method").asText();
    String mismatch = malformedParam(claimed.params()); // a malformed value is refused whatever else the request says
    if (mismatch == null && !version.equals(claimed.version())) {
      mismatch = differs("MCP-Protocol-Version", claimed.version(), version);
    } else if (mismatch == null && !method.equals(claimed.method())) {
      mismatch = differs(McpHeaders.METHOD, claimed.method(), method);
    } else if (mismatch == null) {
      String name = McpHeaders.nameOf(message);
      if (name != null && !name.equals(McpHeaders.decode(claimed.name()))) {
        mismatch = differs(McpHeaders.NAME, claimed.name(), name);
      }
    }
    return mismatch == null ? null : refuse(id, HEADER_MISMATCH, "Header mismatch: " + mismatch);
  }

  /** The agent's first Mcp-Param-* header whose value is not well formed, described; null when all are. */
  private static String malformedParam(Map<String, String> params) {
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (!McpHeaders.wellFormed(p.getValue())) {
        return "the " + JsonRpc.clean(p.getKey()) + " header value is malformed (header-safe ASCII, or =?base64?…?= that decodes)";
      }
    }
    return null;
  }

  private static String differs(String header, String value, String body) {
    return value == null
        ? "the " + header + " header is required"
        : header + " header value '" + JsonRpc.clean(value) + "' does not match body value '" + JsonRpc.clean(body) + "'";
  }

  /** A discover result made from what the endpoint answered to Plugboard's initialize. */
  private static ObjectNode discovered(JsonNode id, JsonNode initialized) {
    ObjectNode result = JSON.createObjectNode();
    ArrayNode versions = result.putArray("supportedVersions");
    SUPPORTED.forEach(versions::add);
    result.set("capabilities", initialized.get("capabilities") instanceof ObjectNode caps ? caps : JSON.createObjectNode());
    if (initialized.path("instructions").isTextual()) {
      result.set("instructions", initialized.get("instructions"));
    }
    if (initialized.get("serverInfo") instanceof ObjectNode info) {
      result.putObject("_meta").set(META_SERVER, info);
    }
    shaped("server/discover", result);
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", result);
    return response;
  }

  /** The endpoint could not open the request's session: its error, addressed to the agent's request. */
  private static Reply asAnswerTo(JsonNode id, Reply opened) {
    if (opened.messages().isEmpty() || !(opened.messages().get(opened.messages().size() - 1) instanceof ObjectNode last) || !last.has("error")) {
      return Reply.json(200, JsonRpc.error(id, GatewayService.UPSTREAM_FAILED, "the connection's MCP server could not be used"));
    }
    ObjectNode answer = last.deepCopy();
    answer.set("id", id);
    return Reply.json(opened.status(), answer);
  }

  /**
   * A 2025 answer as the revision shapes it: every result states its {@code resultType} (an answer
   * of a 2025 upstream, or of Plugboard, has none: it is complete), cacheable ones carry caching
   * hints, an unknown method is HTTP 404 with -32601 (the 2025 path answers 200), a header mismatch
   * is HTTP 400, and a URL elicitation the 2025 path signals with -32042 (Plugboard's connect link,
   * or a 2025 upstream's own) becomes the revision's {@code input_required} with a requestState of
   * Plugboard's, bound to {@code request} for this caller.
   */
  private Reply asModern(String method, Reply reply, Caller caller, String request) {
    List<JsonNode> messages = new ArrayList<>();
    int status = reply.status();
    for (JsonNode m : reply.messages()) {
      int code = m.path("error").path("code").asInt(0);
      if (code == PersonNeeded.URL_ELICITATION_REQUIRED && MULTI_ROUND_TRIP.contains(method)) {
        m = inputRequired(m, states.issue(caller.apiKeyId(), request));
      } else if (code == HEADER_MISMATCH) {
        status = 400;
      } else if (m.get("result") instanceof ObjectNode result) {
        ObjectNode copy = m.deepCopy();
        shaped(method, (ObjectNode) copy.get("result"));
        m = copy;
      }
      messages.add(m);
    }
    boolean unknownMethod = !reply.stream() && messages.size() == 1 && messages.get(0).path("error").path("code").asInt(0) == -32601;
    return new Reply(unknownMethod ? 404 : status, messages, reply.stream(), null);
  }

  /** The -32042 answer's URL elicitations as input requests of the revision (which has no elicitationId). */
  private static ObjectNode inputRequired(JsonNode urlElicitationRequired, String requestState) {
    ObjectNode result = JSON.createObjectNode();
    result.put("resultType", "input_required");
    ObjectNode requests = result.putObject("inputRequests");
    int n = 0;
    for (JsonNode e : urlElicitationRequired.path("error").path("data").path("elicitations")) {
      ObjectNode input = requests.putObject(n == 0 ? CONNECT_INPUT : CONNECT_INPUT + "_" + (n + 1));
      input.put("method", "elicitation/create");
      ObjectNode params = input.putObject("params");
      params.put("mode", "url");
      params.set("url", e.get("url"));
      params.set("message", e.has("message") ? e.get("message") : urlElicitationRequired.path("error").get("message"));
      n++;
    }
    result.put("requestState", requestState);
    return AggregateService.response(urlElicitationRequired.get("id"), result);
  }

  /**
   * Completes a result as the revision requires: {@code resultType} (absent: complete) and, on the
   * cacheable methods, {@code ttlMs} (absent: 0, immediately stale) and {@code cacheScope}, always
   * private: what a key sees through Plugboard (its connections, their allowlists) is its own.
   */
  private static void shaped(String method, ObjectNode result) {
    if (!result.has("resultType")) {
      result.put("resultType", "complete");
    }
    if (CACHEABLE.contains(method) && "complete".equals(result.path("resultType").asText())) {
      if (!result.path("ttlMs").canConvertToLong() || result.get("ttlMs").asLong() < 0) {
        result.put("ttlMs", 0);
      }
      result.put("cacheScope", "private");
    }
  }

  private static Reply refuse(JsonNode id, int code, String message) {
    return Reply.json(400, JsonRpc.error(id, code, message));
  }

  /**
   * The request's own session is opened in the agent's name (its _meta clientInfo), declaring no
   * capabilities but URL elicitation, when the agent declared it and the method may answer
   * input_required: then a connection that needs a person answers with its link as an elicitation.
   */
  private static ObjectNode initialize(ObjectNode message) {
    ObjectNode params = JSON.createObjectNode();
    params.put("protocolVersion", "2025-11-25");
    ObjectNode capabilities = params.putObject("capabilities");
    JsonNode declared = message.path("params").path("_meta").path(META_CAPABILITIES).path("elicitation").get("url");
    if (declared instanceof ObjectNode && MULTI_ROUND_TRIP.contains(message.path("method").asText())) {
      capabilities.putObject("elicitation").putObject("url");
    }
    JsonNode info = message.path("params").path("_meta").get("io.modelcontextprotocol/clientInfo");
    params.set("clientInfo", info instanceof ObjectNode ? info : JSON.createObjectNode().put("name", "plugboard").put("version", "gateway"));
    return JsonRpc.request(JSON.getNodeFactory().textNode("plugboard-initialize"), "initialize", params);
  }

  private static byte[] bytes(JsonNode message) {
    return message.toString().getBytes(StandardCharsets.UTF_8);
  }
}
