package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.ConnectionViews.ResolvedView;
import dev.plugboard.gateway.GatewayService.Incoming;
import dev.plugboard.gateway.GatewayService.Reply;
import dev.plugboard.gateway.GatewaySessions.Session;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.McpClient;
import dev.plugboard.mcp.McpClient.Exchange;
import dev.plugboard.mcp.McpClient.Opened;
import dev.plugboard.mcp.McpClient.UpstreamSession;
import dev.plugboard.mcp.McpConfig;
import dev.plugboard.mcp.McpException;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.oauth.BearerRenewal;
import dev.plugboard.tenancy.Caller;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The aggregate MCP endpoint {@code /mcp/v1}: one server whose tools are those of every connection
 * the key can see, named {@code <connection slug>__<tool>}. Plugboard answers {@code initialize},
 * {@code ping} and {@code tools/list} itself (the last by asking every upstream concurrently) and
 * forwards {@code tools/call} to the connection it names, within an upstream session kept in the
 * agent's session row.
 */
@ApplicationScoped
public class AggregateService {

  private static final Logger LOG = Logger.getLogger(AggregateService.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Between the connection's slug and the tool's own name; slugs never contain it. */
  static final String SEPARATOR = "__";
  /** MCP (2025-11-25): a tool name is 1 to 128 characters; a longer prefixed name is not listed. */
  static final int MAX_TOOL_NAME = 128;
  /** The newest handshake revision: offered to agents that ask for an unknown one, asked of upstreams (they answer with theirs). */
  static final String NEWEST = "2025-11-25";
  /** Beyond the per-upstream deadline, how long the listing waits for a worker to hand back. */
  private static final long GRACE_MILLIS = 2_000;

  private final GatewayService gateway;
  private final ConnectionService connections;
  private final McpClient client;
  private final GatewaySessions sessions;
  private final BearerRenewal renewal;
  private final GatewayConfig config;
  private final McpConfig mcp;
  private final Vertx vertx;
  private final String version;
  private final PersonNeeded person;

  AggregateService(
      GatewayService gateway,
      ConnectionService connections,
      McpClient client,
      GatewaySessions sessions,
      BearerRenewal renewal,
      GatewayConfig config,
      McpConfig mcp,
      Vertx vertx,
      PersonNeeded person,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.gateway = gateway;
    this.connections = connections;
    this.client = client;
    this.sessions = sessions;
    this.renewal = renewal;
    this.config = config;
    this.mcp = mcp;
    this.vertx = vertx;
    this.version = version;
    this.person = person;
  }

  /** Handles one POSTed message, answered whole. {@code acceptsStream}: the agent listed text/event-stream. */
  public Reply post(Caller caller, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream) {
    return post(caller, sessionId, protocolVersion, body, acceptsStream, false);
  }

  /**
   * Handles one POSTed message. With {@code live} (and an agent that takes an event stream), a
   * tools/call the upstream answers with an event stream is answered as one while it arrives, with
   * the upstream's requests for what the agent offers (ids prefixed {@code <slug>__}); the agent's
   * answers to them go back to that connection's upstream session.
   */
  public Reply post(Caller caller, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream, boolean live) {
    Incoming in = Incoming.of(body, protocolVersion);
    if (in.refusal() != null) {
      return in.refusal();
    }
    ObjectNode message = in.message();
    JsonNode id = message.get("id");
    String method = message.path("method").asText();
    boolean request = JsonRpc.isRequest(message);
    if (request && "initialize".equals(method)) {
      String opened = sessions.openAggregate(caller.apiKeyId(), PersonNeeded.declaresUrlElicitation(message), offered(message.path("params").path("capabilities")));
      return new Reply(200, List.of(response(id, initializeResult(message))), false, opened);
    }
    if (sessionId == null) {
      return GatewayService.sessionRequired(id);
    }
    Session session = sessions.use(sessionId, caller.apiKeyId(), null).orElseThrow(GatewayService::sessionNotFound);
    if (!request) {
      if (!message.has("method")) {
        answerRelayed(caller, session, message);
      }
      return Reply.accepted(); // notifications (initialized, cancelled) concern no upstream
    }
    List<ConnectionView> visible = visible(caller);
    String fingerprint = fingerprint(visible);
    if ("tools/list".equals(method)) {
      JsonNode listing = list(session, sessionId, visible, message);
      sessions.listed(sessionId, fingerprint);
      return Reply.json(200, listing);
    }
    List<JsonNode> first = new ArrayList<>();
    if (session.listedFingerprint() != null && !session.listedFingerprint().equals(fingerprint)) {
      // What the agent listed is out of date: say so once, before the answer.
      first.add(JsonRpc.notification("notifications/tools/list_changed"));
      sessions.listed(sessionId, fingerprint);
    }
    if ("tools/call".equals(method)) {
      return call(caller, session, sessionId, visible, message, first, acceptsStream, live && acceptsStream);
    }
    if ("ping".equals(method)) {
      return reply(first, response(id, NODES.objectNode()), acceptsStream);
    }
    return reply(
        first,
        JsonRpc.error(id, -32601, "Method not found: /mcp/v1 offers tools only (tools/list, tools/call, ping); use /mcp/v1/connections/{connection_id} for " + JsonRpc.clean(method)),
        acceptsStream);
  }

  /** Plugboard's {@code first} messages and an answer made here: an event stream when there is more than the answer. */
  private static Reply reply(List<JsonNode> first, JsonNode response, boolean acceptsStream) {
    if (acceptsStream && !first.isEmpty()) {
      List<JsonNode> messages = new ArrayList<>(first);
      messages.add(response);
      return new Reply(200, messages, true, null);
    }
    return Reply.json(200, response);
  }

  /** Of the capabilities an agent declared, those it offers upstreams: what Plugboard declares when it opens one for it. */
  static ObjectNode offered(JsonNode declared) {
    ObjectNode offered = NODES.objectNode();
    for (String capability : List.of("sampling", "elicitation", "roots")) {
      if (declared.get(capability) instanceof ObjectNode value) {
        offered.set(capability, value);
      }
    }
    return offered;
  }

  /**
   * A server request of the connection {@code slug} as the agent sees it: its id becomes {@code
   * <slug>__<the upstream's id as JSON>}, so the agent's answer finds its way back on any replica; null
   * (Plugboard refuses it) when it asks for what the agent did not offer.
   */
  static JsonNode relayed(JsonNode request, String slug, ObjectNode offered) {
    if (!offers(offered, request)) {
      return null;
    }
    ObjectNode asked = request.deepCopy();
    asked.put("id", slug + SEPARATOR + request.get("id").toString());
    return asked;
  }

  /** Whether the agent offers what {@code request} asks; a method MCP ties to no capability is left to the agent. */
  private static boolean offers(ObjectNode offered, JsonNode request) {
    switch (request.path("method").asText()) {
      case "sampling/createMessage":
        return offered.has("sampling");
      case "roots/list":
        return offered.has("roots");
      case "elicitation/create":
        JsonNode elicitation = offered.get("elicitation");
        if (elicitation == null) {
          return false;
        }
        // 2025-11-25: {} means form mode only; URL mode must be declared as such
        return "url".equals(request.path("params").path("mode").asText()) ? elicitation.has("url") : elicitation.isEmpty() || elicitation.has("form");
      default:
        return true;
    }
  }

  /** Forwards the agent's answer to a relayed request to the upstream session that asked, with the upstream's own id. */
  private void answerRelayed(Caller caller, Session session, ObjectNode answer) {
    JsonNode id = answer.get("id");
    int split = id != null && id.isTextual() ? id.asText().indexOf(SEPARATOR) : -1;
    if (split <= 0) {
      return; // not an answer to anything Plugboard relayed
    }
    String slug = id.asText().substring(0, split);
    JsonNode upstreamId;
    try {
      upstreamId = JSON.readTree(id.asText().substring(split + SEPARATOR.length()));
    } catch (IOException e) {
      return;
    }
    ConnectionView connection = visible(caller).stream().filter(c -> c.slug().equals(slug)).findFirst().orElse(null);
    UpstreamSession upstream = connection == null ? null : session.upstreams().get(connection.id());
    if (upstream == null || upstreamId == null || !(upstreamId.isTextual() || upstreamId.isNumber())) {
      return;
    }
    ObjectNode back = answer.deepCopy();
    back.set("id", upstreamId);
    try {
      gateway.withCredentials(connections.usable(caller, connection.id()), r -> client.forward(r.serverUrl(), r.headers(), upstream, back, gateway.deadline()));
    } catch (McpException e) {
      LOG.infof("gateway: the agent's answer to a request of connection %s could not be forwarded: %s", connection.id(), e.failed().reason());
    }
  }

  /** Ends the agent's aggregate session and, best effort, every upstream session it opened. */
  public void delete(Caller caller, String sessionId) {
    if (sessionId == null) {
      throw ApiException.validation("Mcp-Session-Id", "is required");
    }
    gateway.endUpstream(sessions.close(sessionId, caller.apiKeyId(), null).orElseThrow(GatewayService::sessionNotFound));
  }

  private ObjectNode initializeResult(ObjectNode initialize) {
    String asked = initialize.path("params").path("protocolVersion").asText("");
    ObjectNode result = NODES.objectNode();
    result.put("protocolVersion", McpClient.HANDSHAKE_VERSIONS.contains(asked) ? asked : NEWEST);
    result.putObject("capabilities").putObject("tools").put("listChanged", true);
    result.putObject("serverInfo").put("name", "plugboard").put("version", version);
    result.put("instructions", "The tools of every connection this API key can see, each named <connection slug>__<tool>.");
    return result;
  }

  // ---- tools/list -------------------------------------------------------------------------------

  /** One connection's part of a listing: its tools and the upstream session opened for them, or why it has none. */
  private record Part(List<JsonNode> tools, UpstreamSession opened, Failed failure) {}

  private JsonNode list(Session session, String sessionId, List<ConnectionView> visible, ObjectNode message) {
    JsonNode id = message.get("id");
    if (message.path("params").hasNonNull("cursor")) {
      return JsonRpc.error(id, GatewayService.INVALID_PARAMS, "Invalid params: /mcp/v1 lists every tool in one page; there is no next page");
    }
    // Credentials are read here (the database is this thread's); workers only speak HTTP.
    Deadline deadline = Deadline.after(config.listTimeout());
    List<ConnectionView> asked = new ArrayList<>();
    List<ResolvedView> credentials = new ArrayList<>();
    List<CompletableFuture<Part>> futures = new ArrayList<>();
    for (ConnectionView c : visible) {
      if (PersonNeeded.byView(c)) {
        continue; // its tools cannot be listed; plugboard__connect names it, and its tools are still called by name
      }
      Optional<ResolvedView> resolved;
      try {
        resolved = connections.resolve(c.id());
      } catch (RuntimeException e) {
        LOG.infof("gateway: connection %s (%s) left out of the /mcp/v1 tools: its credentials could not be resolved (%s)", c.id(), c.slug(), e.getClass().getSimpleName());
        continue;
      }
      if (resolved.isEmpty()) {
        continue;
      }
      ResolvedView r = resolved.get();
      UpstreamSession known = session.upstreams().get(c.id());
      asked.add(c);
      credentials.add(r);
      futures.add(vertx.executeBlocking(() -> listOne(r, session, known, deadline), false).toCompletionStage().toCompletableFuture());
    }
    long waitUntil = System.nanoTime() + config.listTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    ArrayNode tools = NODES.arrayNode();
    for (int i = 0; i < asked.size(); i++) {
      ConnectionView c = asked.get(i);
      Part part = await(futures.get(i), waitUntil);
      if (part.failure() != null && part.failure().reason() == Reason.UNAUTHORIZED && renewal.renew(c.id(), credentials.get(i).headers())) {
        Optional<ResolvedView> renewed = connections.resolve(c.id());
        if (renewed.isPresent()) {
          part = listOne(renewed.get(), session, part.opened() != null ? part.opened() : session.upstreams().get(c.id()), Deadline.after(config.listTimeout()));
        }
      }
      if (part.opened() != null) {
        sessions.putUpstream(sessionId, c.id(), part.opened());
      }
      if (part.failure() != null) {
        LOG.infof("gateway: connection %s (%s) left out of the /mcp/v1 tools: %s", c.id(), c.slug(), part.failure().reason());
        continue;
      }
      for (JsonNode tool : c.allowedOnly(part.tools(), t -> t.get("name").asText())) {
        String name = c.slug() + SEPARATOR + tool.get("name").asText();
        if (name.equals(PersonNeeded.CONNECT_TOOL)) {
          continue; // the built-in tool's name
        }
        if (name.length() > MAX_TOOL_NAME) {
          LOG.infof("gateway: tool %s of connection %s (%s) left out of the /mcp/v1 tools: its name there would be over %d characters (the connection's own endpoint still has it)", JsonRpc.clean(tool.get("name").asText()), c.id(), c.slug(), MAX_TOOL_NAME);
          continue;
        }
        ObjectNode named = tool.deepCopy();
        named.put("name", name);
        tools.add(named);
      }
    }
    tools.add(person.connectTool(visible));
    ObjectNode result = NODES.objectNode();
    result.set("tools", tools);
    return response(id, result);
  }

  private static Part await(CompletableFuture<Part> future, long untilNanos) {
    try {
      return future.get(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return new Part(List.of(), null, new Failed(Reason.TIMEOUT, "no tools in time", 0, null));
    } catch (ExecutionException e) {
      LOG.debugf("gateway: listing an upstream failed: %s", e.getCause());
      return new Part(List.of(), null, new Failed(Reason.PROTOCOL, "listing failed", 0, null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Part(List.of(), null, new Failed(Reason.TIMEOUT, "interrupted", 0, null));
    }
  }

  /** Lists one upstream's tools within its session (opened first when there is none, or again when it ended). */
  private Part listOne(ResolvedView r, Session session, UpstreamSession known, Deadline deadline) {
    UpstreamSession opened = null;
    try {
      UpstreamSession upstream = known;
      if (upstream == null) {
        upstream = opened = open(r, session, deadline);
      }
      try {
        return new Part(pages(r, upstream, deadline), opened, null);
      } catch (McpException e) {
        if (known == null || e.failed().reason() != Reason.SESSION_ENDED) {
          throw e;
        }
        opened = open(r, session, deadline);
        return new Part(pages(r, opened, deadline), opened, null);
      }
    } catch (McpException e) {
      return new Part(List.of(), opened, e.failed());
    }
  }

  private List<JsonNode> pages(ResolvedView r, UpstreamSession upstream, Deadline deadline) throws McpException {
    List<JsonNode> tools = new ArrayList<>();
    String cursor = null;
    for (int page = 1; page <= mcp.maxPages(); page++) {
      ObjectNode params = NODES.objectNode();
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      Exchange exchange = client.forward(r.serverUrl(), r.headers(), upstream, JsonRpc.request(TextNode.valueOf("plugboard-list-" + page), "tools/list", params), deadline);
      JsonNode result = exchange.response() == null ? null : exchange.response().get("result");
      if (result == null || !(result.get("tools") instanceof ArrayNode list)) {
        throw new McpException(new Failed(Reason.PROTOCOL, "tools/list answered no tools", exchange.httpStatus(), null));
      }
      for (JsonNode tool : list) {
        if (tool.isObject() && tool.path("name").isTextual()) {
          tools.add(tool);
        }
      }
      JsonNode next = result.get("nextCursor");
      if (next == null || !next.isTextual() || next.asText().isEmpty()) {
        return tools;
      }
      cursor = next.asText();
    }
    throw new McpException(new Failed(Reason.PROTOCOL, "tools/list did not end after " + mcp.maxPages() + " pages", 0, null));
  }

  /** Opens an upstream session of Plugboard's own, offering what the agent of {@code session} offers. */
  private UpstreamSession open(ResolvedView r, Session session, Deadline deadline) throws McpException {
    return gateway.openOwn(r, NEWEST, session.capabilities(), deadline);
  }

  // ---- tools/call -------------------------------------------------------------------------------

  private Reply call(Caller caller, Session session, String sessionId, List<ConnectionView> visible, ObjectNode message, List<JsonNode> first, boolean acceptsStream, boolean live) {
    JsonNode id = message.get("id");
    String name = GatewayService.toolName(message);
    if (PersonNeeded.CONNECT_TOOL.equals(name)) {
      return reply(first, person.connect(caller, visible, message, session.elicitationUrl()), acceptsStream);
    }
    int split = name == null ? -1 : name.indexOf(SEPARATOR);
    ConnectionView connection = null;
    if (split > 0) {
      String slug = name.substring(0, split);
      connection = visible.stream().filter(c -> c.slug().equals(slug)).findFirst().orElse(null);
    }
    if (connection == null) {
      String shown = name == null ? "(no name)" : JsonRpc.clean(name);
      return reply(first, JsonRpc.error(id, GatewayService.INVALID_PARAMS, "Unknown tool: " + shown + " (tools here are named <connection slug>__<tool>; see tools/list)"), acceptsStream);
    }
    String tool = name.substring(split + SEPARATOR.length());
    if (!connection.toolAllowed(tool)) {
      return reply(first, gateway.refused(caller, connection, message, tool), acceptsStream);
    }
    if (PersonNeeded.byView(connection)) {
      return reply(first, gateway.personNeeded(caller, connection, session, message, tool).messages().get(0), acceptsStream);
    }
    ObjectNode forwarded = message.deepCopy();
    ((ObjectNode) forwarded.get("params")).put("name", tool);
    UUID connectionId = connection.id();
    String slug = connection.slug();
    try {
      if (live) {
        return gateway.live(
            forwarded,
            new GatewayService.Audit(caller, connectionId, tool),
            first,
            request -> relayed(request, slug, session.capabilities()),
            response -> response,
            () -> within(caller, session, sessionId, connectionId, (r, upstream) -> client.start(r.serverUrl(), r.headers(), upstream, forwarded, gateway.deadline())));
      }
      Exchange exchange =
          gateway.callTool(
              caller, connectionId, tool, () -> within(caller, session, sessionId, connectionId, (r, upstream) -> client.forward(r.serverUrl(), r.headers(), upstream, forwarded, gateway.deadline())));
      List<JsonNode> messages = new ArrayList<>(first);
      messages.addAll(exchange.notifications());
      return reply(messages, exchange.response(), acceptsStream);
    } catch (McpException e) {
      if (person.afterRefusal(caller, connection, e)) {
        return reply(first, person.answer(caller, connection, message, session.elicitationUrl(), e), acceptsStream);
      }
      LOG.infof("gateway: tools/call to connection %s failed: %s", connectionId, e.failed().reason());
      return reply(first, GatewayService.upstreamError(id, e.failed()), acceptsStream);
    }
  }

  /** A use of one connection's upstream session. */
  @FunctionalInterface
  private interface InSession<T> {
    T run(ResolvedView connection, UpstreamSession upstream) throws McpException;
  }

  /** Runs {@code use} within the session's upstream session on the connection, opening one when there is none or it ended. */
  private <T> T within(Caller caller, Session session, String sessionId, UUID connectionId, InSession<T> use) throws McpException {
    UpstreamSession known = session.upstreams().get(connectionId);
    return gateway.withCredentials(
        connections.usable(caller, connectionId),
        r -> {
          UpstreamSession upstream = known != null ? known : kept(sessionId, connectionId, open(r, session, gateway.deadline()));
          try {
            return use.run(r, upstream);
          } catch (McpException e) {
            if (known == null || e.failed().reason() != Reason.SESSION_ENDED) {
              throw e;
            }
            return use.run(r, kept(sessionId, connectionId, open(r, session, gateway.deadline())));
          }
        });
  }

  private UpstreamSession kept(String sessionId, UUID connectionId, UpstreamSession upstream) {
    sessions.putUpstream(sessionId, connectionId, upstream);
    return upstream;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** The connections the key sees that speak MCP over HTTP, by slug. */
  private List<ConnectionView> visible(Caller caller) {
    List<ConnectionView> mcpOnes = new ArrayList<>();
    for (ConnectionView c : connections.visibleToGateway(caller)) {
      if (c.serverUrl() != null && !c.serverUrl().isBlank() && !"stdio".equals(c.transportType())) {
        mcpOnes.add(c);
      }
    }
    mcpOnes.sort(Comparator.comparing(ConnectionView::slug));
    return mcpOnes;
  }

  /** Identifies what a listing would be built from: the connections seen and their allowlists. */
  static String fingerprint(List<ConnectionView> visible) {
    StringBuilder text = new StringBuilder();
    for (ConnectionView c : visible) {
      text.append(c.id()).append('|').append(c.slug()).append('|').append(c.serverUrl()).append('|')
          .append(c.allowedTools()).append('|').append(c.updatedAt()).append('\n');
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode response(JsonNode id, ObjectNode result) {
    ObjectNode r = NODES.objectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", id);
    r.set("result", result);
    return r;
  }
}
