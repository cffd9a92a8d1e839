package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.connection.Activity;
import dev.plugboard.connection.ActivityLog;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionService.Usable;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.ConnectionViews.ResolvedView;
import dev.plugboard.gateway.GatewaySessions.Session;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.LiveCall;
import dev.plugboard.mcp.McpClient;
import dev.plugboard.mcp.McpClient.Exchange;
import dev.plugboard.mcp.McpClient.Opened;
import dev.plugboard.mcp.McpClient.Started;
import dev.plugboard.mcp.McpClient.UpstreamSession;
import dev.plugboard.mcp.McpException;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.net.GuardedHttp.Inflight;
import dev.plugboard.oauth.BearerRenewal;
import dev.plugboard.tenancy.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The per-connection MCP gateway: the agent's side of Streamable HTTP, forwarding each message to the
 * connection's server with the connection's real credentials, which never travel back. Keeps no
 * state of its own: a session is its database row.
 */
@ApplicationScoped
public class GatewayService {

  private static final Logger LOG = Logger.getLogger(GatewayService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON-RPC error codes of the gateway (the implementation-defined range). */
  static final int UPSTREAM_FAILED = -32000;
  static final int SESSION_REQUIRED = -32001;
  static final int INVALID_PARAMS = -32602;

  /**
   * What goes back to the agent: an HTTP status, a JSON-RPC body (null: none), whether it goes as an
   * event stream, the session id issued by {@code initialize}, and (instead of messages) an event
   * stream still being answered upstream, written as it arrives.
   */
  public record Reply(int status, List<JsonNode> messages, boolean stream, String sessionId, LiveAnswer live) {
    Reply(int status, List<JsonNode> messages, boolean stream, String sessionId) {
      this(status, messages, stream, sessionId, null);
    }

    static Reply live(LiveAnswer answer) {
      return new Reply(200, List.of(), true, null, answer);
    }

    static Reply accepted() {
      return new Reply(202, List.of(), false, null);
    }

    static Reply json(int status, JsonNode message) {
      return new Reply(status, List.of(message), false, null);
    }
  }

  private final ConnectionService connections;
  private final McpClient client;
  private final GatewaySessions sessions;
  private final BearerRenewal renewal;
  private final GatewayConfig config;
  private final ActivityLog activity;
  private final PersonNeeded person;
  private final String version;

  GatewayService(
      ConnectionService connections,
      McpClient client,
      GatewaySessions sessions,
      BearerRenewal renewal,
      GatewayConfig config,
      ActivityLog activity,
      PersonNeeded person,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.connections = connections;
    this.person = person;
    this.version = version;
    this.activity = activity;
    this.client = client;
    this.sessions = sessions;
    this.renewal = renewal;
    this.config = config;
  }

  /** Handles one POSTed message, answered whole. {@code acceptsStream}: the agent listed text/event-stream. */
  public Reply post(Caller caller, UUID connectionId, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream) {
    return post(caller, connectionId, sessionId, protocolVersion, body, acceptsStream, false);
  }

  /**
   * Handles one POSTed message. With {@code live} (and an agent that takes an event stream), a request
   * the upstream answers with an event stream is answered as one while it arrives ({@link Reply#live}),
   * server requests included: the agent answers them by POSTing, like any response.
   */
  public Reply post(Caller caller, UUID connectionId, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream, boolean live) {
    return post(caller, connectionId, sessionId, protocolVersion, body, acceptsStream, live, null);
  }

  /**
   * {@link #post}, when the request's forward was already sent from the event loop ({@code sent},
   * null: not; see {@link LoopCalls}): its answer is read instead of sending it again.
   */
  Reply post(Caller caller, UUID connectionId, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream, boolean live, Inflight sent) {
    // 404 before any JSON-RPC when the key cannot see it; the credentials come with it, sealed until used
    Usable target = connections.usable(caller, connectionId);
    ConnectionView connection = target.view();
    Incoming in = Incoming.of(body, protocolVersion);
    if (in.refusal() != null) {
      return in.refusal();
    }
    ObjectNode message = in.message();
    JsonNode id = message.get("id");
    boolean request = JsonRpc.isRequest(message);
    if (request && "initialize".equals(message.path("method").asText())) {
      return initialize(caller, target, message, acceptsStream);
    }
    if (sessionId == null) {
      return sessionRequired(id);
    }
    Session session = sessions.use(sessionId, caller.apiKeyId(), connectionId).orElseThrow(GatewayService::sessionNotFound);
    String method = message.path("method").asText();
    String tool = "tools/call".equals(method) ? toolName(message) : null;
    if (PersonNeeded.byView(connection) && (tool == null || connection.toolAllowed(tool))) {
      return personNeeded(caller, connection, session, message, tool);
    }
    try {
      // A session opened while the connection needed a person gets its upstream session now.
      UpstreamSession upstream = session.upstream() != null ? session.upstream() : openLate(target, sessionId, protocolVersion);
      if (request && "tools/call".equals(method)) {
        if (!connection.toolAllowed(tool)) {
          return Reply.json(200, refused(caller, connection, message, tool));
        }
      }
      if (request && live && acceptsStream) {
        return startLive(caller, target, upstream, message, sent);
      }
      if (request && "tools/call".equals(method)) {
        return answer(callTool(caller, connectionId, tool, () -> forward(target, upstream, message)), acceptsStream, null);
      }
      Exchange exchange = forward(target, upstream, message);
      if (!request) {
        return Reply.accepted();
      }
      return answer("tools/list".equals(method) ? allowedOnly(connection, exchange) : exchange, acceptsStream, null);
    } catch (McpException e) {
      if (e.failed().reason() == Reason.SESSION_ENDED) {
        sessions.close(sessionId, caller.apiKeyId(), connectionId);
        throw new ApiException(404, "not_found", "the MCP server ended the session; initialize again");
      }
      if (request && person.afterRefusal(caller, connection, e)) {
        return Reply.json(200, person.answer(caller, connection, message, session.elicitationUrl(), e));
      }
      LOG.infof("gateway: %s to connection %s failed: %s", message.path("method").asText("a message"), connectionId, e.failed().reason());
      return request ? Reply.json(200, upstreamError(id, e.failed())) : Reply.accepted();
    }
  }

  /** A POSTed body: one JSON-RPC 2.0 message, or the 400 that refuses it. */
  record Incoming(ObjectNode message, Reply refusal) {
    static Incoming of(byte[] body, String protocolVersion) {
      JsonNode parsed;
      try {
        parsed = JSON.readTree(body);
      } catch (IOException e) {
        return refuse(null, -32700, "Parse error: the body is not JSON");
      }
      if (!(parsed instanceof ObjectNode message) || !"2.0".equals(message.path("jsonrpc").asText())) {
        String what = parsed != null && parsed.isArray() ? "batches are not supported; send one message per request" : "not a JSON-RPC 2.0 message";
        return refuse(null, -32600, "Invalid Request: " + what);
      }
      if (protocolVersion != null && !McpClient.HANDSHAKE_VERSIONS.contains(protocolVersion)) {
        return refuse(message.get("id"), -32600, "Bad Request: unsupported MCP-Protocol-Version " + JsonRpc.clean(protocolVersion));
      }
      return new Incoming(message, null);
    }

    private static Incoming refuse(JsonNode id, int code, String text) {
      return new Incoming(null, Reply.json(400, JsonRpc.error(id, code, text)));
    }
  }

  static Reply sessionRequired(JsonNode id) {
    return Reply.json(400, JsonRpc.error(id, SESSION_REQUIRED, "Bad Request: Mcp-Session-Id header is required; send initialize first"));
  }

  private Exchange forward(Usable target, UpstreamSession upstream, ObjectNode message) throws McpException {
    return withCredentials(target, r -> client.forward(r.serverUrl(), r.headers(), upstream, message, deadline()));
  }

  // ---- tool policy and the audit trail, shared with the aggregate endpoint --------------------

  /** The {@code params.name} of a tools/call, or null when it has none. */
  static String toolName(JsonNode call) {
    JsonNode name = call.path("params").get("name");
    return name != null && name.isTextual() ? name.asText() : null;
  }

  /** Answers a call of a tool outside the connection's allowlist, which never goes upstream, and records it. */
  ObjectNode refused(Caller caller, ConnectionView connection, JsonNode call, String tool) {
    activity.record(caller, connection.id(), Activity.Kind.TOOLS_CALL, tool, Activity.Outcome.REFUSED, null, 0);
    return JsonRpc.error(call.get("id"), INVALID_PARAMS, "tool " + (tool == null ? "(no name)" : JsonRpc.clean(tool)) + " is not allowed on this connection");
  }

  /**
   * Runs a forwarded tools/call and records it: ok, or error when the server answered a JSON-RPC
   * error or a result with {@code isError}, or could not be used. Never arguments or results.
   */
  Exchange callTool(Caller caller, UUID connectionId, String tool, Forward call) throws McpException {
    long start = System.nanoTime();
    try {
      Exchange exchange = call.run();
      recordCall(caller, connectionId, tool, start, exchange.response(), exchange.httpStatus());
      return exchange;
    } catch (McpException e) {
      recordCall(caller, connectionId, tool, start, null, e.failed().httpStatus());
      throw e;
    }
  }

  /** Records a forwarded tools/call begun at {@code startNanos}: {@code response} null means the server could not be used. */
  void recordCall(Caller caller, UUID connectionId, String tool, long startNanos, JsonNode response, int httpStatus) {
    activity.record(caller, connectionId, Activity.Kind.TOOLS_CALL, tool, outcome(response), httpStatus > 0 ? httpStatus : null, millisSince(startNanos));
  }

  /** {@link #recordCall} without waiting (for an event loop): {@code then} runs once the row is committed. */
  void recordCallThen(Caller caller, UUID connectionId, String tool, long startNanos, JsonNode response, int httpStatus, Runnable then) {
    activity.recordCallThen(caller, connectionId, tool, outcome(response), httpStatus > 0 ? httpStatus : null, millisSince(startNanos), then);
  }

  private static Activity.Outcome outcome(JsonNode response) {
    boolean failed = response == null || response.has("error") || response.path("result").path("isError").asBoolean(false);
    return failed ? Activity.Outcome.ERROR : Activity.Outcome.OK;
  }

  /** Forwards a request (per-connection endpoint) so that an event-stream answer reaches the agent as it arrives. */
  private Reply startLive(Caller caller, Usable target, UpstreamSession upstream, ObjectNode message, Inflight sent) throws McpException {
    ConnectionView connection = target.view();
    boolean list = "tools/list".equals(message.path("method").asText());
    Audit audit = "tools/call".equals(message.path("method").asText()) ? new Audit(caller, connection.id(), toolName(message)) : null;
    // Every server request but ping goes to the agent as it is: the agent's initialize went upstream
    // as it was sent, so the server only asks for what the agent declared.
    return live(
        message,
        audit,
        List.of(),
        request -> request,
        response -> list ? allowedOnly(connection, response) : response,
        () -> withCredentials(target, r -> client.start(r.serverUrl(), r.headers(), upstream, message, deadline(), sent)));
  }

  /** A tools/call to record in the activity trail. */
  record Audit(Caller caller, UUID connectionId, String tool) {}

  /** The start of a forward ({@link McpClient#start}) within whatever session and credentials apply. */
  @FunctionalInterface
  interface Start {
    Started run() throws McpException;
  }

  /**
   * Starts forwarding {@code message} and answers it: live when the upstream streams (first {@code
   * first}, Plugboard's own messages, then the upstream's notifications and the server requests
   * {@code relayed} turns into what the agent sees, null for those Plugboard refuses, then the
   * response made final by {@code shape}), else whole. Failures before the upstream's headers are in
   * are thrown, for the caller to answer as for any forward; {@code audit} (null: none) is recorded
   * before the response goes out.
   */
  Reply live(ObjectNode message, Audit audit, List<JsonNode> first, UnaryOperator<JsonNode> relayed, UnaryOperator<JsonNode> shape, Start start)
      throws McpException {
    long begun = System.nanoTime();
    Started started;
    try {
      started = start.run();
    } catch (McpException e) {
      if (audit != null) {
        recordCall(audit.caller(), audit.connectionId(), audit.tool(), begun, null, e.failed().httpStatus());
      }
      throw e;
    }
    if (started.live() == null) {
      Exchange exchange = started.done();
      if (audit != null) {
        recordCall(audit.caller(), audit.connectionId(), audit.tool(), begun, exchange.response(), exchange.httpStatus());
      }
      List<JsonNode> messages = new ArrayList<>(first);
      messages.addAll(exchange.notifications());
      messages.add(shape.apply(exchange.response()));
      boolean stream = exchange.streamed() || messages.size() > 1;
      return stream ? new Reply(200, messages, true, null) : Reply.json(200, messages.get(0));
    }
    LiveCall call = started.live();
    String method = message.path("method").asText();
    return Reply.live(
        new LiveAnswer(
            call,
            message.get("id"),
            first,
            relayed,
            (response, failed) -> {
              if (audit != null) {
                recordCall(audit.caller(), audit.connectionId(), audit.tool(), begun, response, failed == null ? call.httpStatus() : failed.httpStatus());
              }
              if (failed != null) {
                LOG.infof("gateway: %s failed while its answer streamed: %s", method, failed.reason());
                return upstreamError(message.get("id"), failed);
              }
              return shape.apply(response);
            }));
  }

  /** One exchange with an upstream. */
  @FunctionalInterface
  interface Forward {
    Exchange run() throws McpException;
  }

  /** A tools/list answer without the tools the connection does not allow; its nextCursor stays. */
  static Exchange allowedOnly(ConnectionView connection, Exchange exchange) {
    JsonNode filtered = allowedOnly(connection, exchange.response());
    return filtered == exchange.response() ? exchange : new Exchange(filtered, exchange.notifications(), exchange.streamed(), exchange.httpStatus());
  }

  static JsonNode allowedOnly(ConnectionView connection, JsonNode response) {
    if (connection.allowedTools() == null || response == null || !(response.path("result").get("tools") instanceof ArrayNode tools)) {
      return response;
    }
    List<JsonNode> listed = new ArrayList<>();
    tools.forEach(listed::add);
    ObjectNode filtered = response.deepCopy();
    ((ObjectNode) filtered.get("result")).putArray("tools").addAll(connection.allowedOnly(listed, t -> t.path("name").asText(null)));
    return filtered;
  }

  static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Ends the agent's session and, best effort, the upstream one. */
  public void delete(Caller caller, UUID connectionId, String sessionId) {
    connections.usable(caller, connectionId); // 404 when the key cannot see it
    if (sessionId == null) {
      throw ApiException.validation("Mcp-Session-Id", "is required");
    }
    Session session = sessions.close(sessionId, caller.apiKeyId(), connectionId).orElseThrow(GatewayService::sessionNotFound);
    endUpstream(session);
  }

  /** Ends the upstream session(s) of an agent session that is gone. */
  void endUpstream(Session session) {
    if (session.connectionId() != null) {
      endUpstream(session.connectionId(), session.upstream());
    }
    session.upstreams().forEach(this::endUpstream);
  }

  private void endUpstream(UUID connectionId, UpstreamSession upstream) {
    if (upstream == null || upstream.sessionId() == null) { // null: opened while the connection needed a person, never attached
      return;
    }
    try {
      connections.resolve(connectionId).ifPresent(r -> client.endSession(r.serverUrl(), r.headers(), upstream));
    } catch (RuntimeException e) { // e.g. a secret that no longer decrypts: the session ends upstream by idling
      LOG.debugf("gateway: could not end the upstream session of connection %s: %s", connectionId, e.getClass().getName());
    }
  }

  private Reply initialize(Caller caller, Usable target, ObjectNode message, boolean acceptsStream) {
    UUID connectionId = target.view().id();
    boolean elicitationUrl = PersonNeeded.declaresUrlElicitation(message);
    if (PersonNeeded.byView(target.view())) {
      return initializeWaiting(caller, target.view(), message, elicitationUrl);
    }
    try {
      Opened opened = withCredentials(target, r -> client.initialize(r.serverUrl(), r.headers(), message, deadline()));
      JsonNode response = opened.exchange().response();
      if (response.has("error")) {
        return answer(opened.exchange(), acceptsStream, null);
      }
      String id = sessions.open(caller.apiKeyId(), connectionId, opened.session(), elicitationUrl);
      LOG.debugf("gateway: session opened on connection %s (upstream %s %s)", connectionId, opened.session().kind(), opened.session().protocolVersion());
      return answer(opened.exchange(), acceptsStream, id);
    } catch (McpException e) {
      if (person.afterRefusal(caller, target.view(), e)) {
        return initializeWaiting(caller, target.view(), message, elicitationUrl);
      }
      LOG.infof("gateway: initialize of connection %s failed: %s", connectionId, e.failed().reason());
      return Reply.json(200, upstreamError(message.get("id"), e.failed()));
    }
  }

  // ---- a connection that needs a person (DESIGN §13) ---------------------------------------------

  /** Answers initialize itself, so the agent has a session in which every request brings it the link. */
  private Reply initializeWaiting(Caller caller, ConnectionView connection, ObjectNode message, boolean elicitationUrl) {
    ObjectNode result = PersonNeeded.waitingInitializeResult(message, connection, version);
    String id = sessions.openWaiting(caller.apiKeyId(), connection.id(), result.get("protocolVersion").asText(), elicitationUrl);
    LOG.debugf("gateway: session opened on connection %s, which needs a person (no upstream session yet)", connection.id());
    return new Reply(200, List.of(AggregateService.response(message.get("id"), result)), false, id);
  }

  /** A message on a connection that needs a person: the answer carrying the link; a call of {@code tool} (null: none) is recorded. */
  Reply personNeeded(Caller caller, ConnectionView connection, Session session, ObjectNode message, String tool) {
    if (!JsonRpc.isRequest(message)) {
      return Reply.accepted();
    }
    if (tool != null) {
      activity.record(caller, connection.id(), Activity.Kind.TOOLS_CALL, tool, Activity.Outcome.ERROR, null, 0);
    }
    return Reply.json(200, person.answer(caller, connection, message, session.elicitationUrl()));
  }

  /** Opens the upstream session of a session that began while the connection needed a person, and keeps it. */
  private UpstreamSession openLate(Usable target, String sessionId, String protocolVersion) throws McpException {
    String asked = protocolVersion != null ? protocolVersion : AggregateService.NEWEST;
    UpstreamSession opened = withCredentials(target, r -> openOwn(r, asked, JsonNodeFactory.instance.objectNode(), deadline()));
    sessions.attach(sessionId, opened);
    LOG.debugf("gateway: the upstream session of connection %s opened once it no longer needed a person", target.view().id());
    return opened;
  }

  /**
   * Opens an upstream session of Plugboard's own: initialize (asking for {@code protocolVersion},
   * declaring {@code capabilities}: what the agent offers), then initialized.
   */
  UpstreamSession openOwn(ResolvedView r, String protocolVersion, ObjectNode capabilities, Deadline deadline) throws McpException {
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("protocolVersion", protocolVersion);
    params.set("capabilities", capabilities.deepCopy()); // the session cache's copy stays untouched by the request built here
    params.putObject("clientInfo").put("name", "plugboard").put("version", version);
    Opened opened = client.initialize(r.serverUrl(), r.headers(), JsonRpc.request(TextNode.valueOf("plugboard-initialize"), "initialize", params), deadline);
    JsonNode error = opened.exchange().response().get("error");
    if (error != null) {
      throw new McpException(new Failed(Reason.SERVER_ERROR, "the server refused initialize: " + JsonRpc.clean(error.path("message").asText("no message")), opened.exchange().httpStatus(), null));
    }
    client.forward(r.serverUrl(), r.headers(), opened.session(), JsonRpc.notification("notifications/initialized"), deadline);
    return opened.session();
  }

  @FunctionalInterface
  interface Upstream<T> {
    T call(ResolvedView connection) throws McpException;
  }

  /**
   * Runs {@code call} with the connection's current credentials; when the server refuses an OAuth
   * bearer, renews it once (single-flight with every other refresh) and tries again.
   */
  <T> T withCredentials(Usable target, Upstream<T> call) throws McpException {
    UUID connectionId = target.view().id();
    ResolvedView connection = target.resolved();
    try {
      return call.call(connection);
    } catch (McpException e) {
      if (e.failed().reason() != Reason.UNAUTHORIZED || !renewal.renew(connectionId, connection.headers())) {
        throw e;
      }
      LOG.infof("gateway: the server of connection %s refused its token; retrying with a refreshed one", connectionId);
      return call.call(resolved(connectionId));
    }
  }

  private ResolvedView resolved(UUID connectionId) {
    return connections.resolve(connectionId).orElseThrow(() -> ApiException.notFound("connection"));
  }

  Deadline deadline() {
    return Deadline.after(config.requestTimeout());
  }

  /** JSON when the upstream answered JSON or the agent takes only JSON; else the events as they came. */
  static Reply answer(Exchange exchange, boolean acceptsStream, String sessionId) {
    if (acceptsStream && exchange.streamed()) {
      List<JsonNode> messages = new ArrayList<>(exchange.notifications());
      messages.add(exchange.response());
      return new Reply(200, messages, true, sessionId);
    }
    return new Reply(200, List.of(exchange.response()), false, sessionId);
  }

  static ObjectNode upstreamError(JsonNode id, Failed failed) {
    ObjectNode error = JsonRpc.error(id, UPSTREAM_FAILED, "the connection's MCP server could not be used: " + failed.message());
    ObjectNode data = ((ObjectNode) error.get("error")).putObject("data");
    data.put("reason", failed.reason().name().toLowerCase(Locale.ROOT));
    if (failed.httpStatus() > 0) {
      data.put("upstream_status", failed.httpStatus());
    }
    return error;
  }

  static ApiException sessionNotFound() {
    return new ApiException(404, "not_found", "unknown or expired MCP session; initialize again");
  }

  static byte[] sse(List<JsonNode> messages) {
    StringBuilder out = new StringBuilder();
    for (JsonNode m : messages) {
      out.append("event: message\ndata: ").append(m.toString()).append("\n\n");
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
