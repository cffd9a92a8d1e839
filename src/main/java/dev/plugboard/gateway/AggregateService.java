package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.ConnectionViews.ListView;
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

  /** Between the connection's slug and the tool's own name; slugs never contain it. */
  static final String SEPARATOR = "__";
  /** MCP (2025-11-25): a tool name is 1 to 128 characters; a longer prefixed name is not listed. */
  static final int MAX_TOOL_NAME = 128;
  /** The newest handshake revision: offered to agents that ask for an unknown one, asked of upstreams (they answer with theirs). */
  static final String NEWEST = "2025-11-25";
  private static final int PAGE = 200;
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

  /** Handles one POSTed message. {@code acceptsStream}: the agent listed text/event-stream. */
  public Reply post(Caller caller, String sessionId, String protocolVersion, byte[] body, boolean acceptsStream) {
    Incoming in = Incoming.of(body, protocolVersion);
    if (in.refusal() != null) {
      return in.refusal();
    }
    ObjectNode message = in.message();
    JsonNode id = message.get("id");
    String method = message.path("method").asText();
    boolean request = JsonRpc.isRequest(message);
    if (request && "initialize".equals(method)) {
      return new Reply(200, List.of(response(id, initializeResult(message))), false, sessions.openAggregate(caller.apiKeyId(), PersonNeeded.declaresUrlElicitation(message)));
    }
    if (sessionId == null) {
      return GatewayService.sessionRequired(id);
    }
    Session session = sessions.use(sessionId, caller.apiKeyId(), null).orElseThrow(GatewayService::sessionNotFound);
    if (!request) {
      return Reply.accepted(); // notifications (initialized, cancelled) and responses concern no upstream
    }
    List<ConnectionView> visible = visible(caller);
    String fingerprint = fingerprint(visible);
    if ("tools/list".equals(method)) {
      JsonNode listing = list(session, sessionId, visible, message);
      sessions.listed(sessionId, fingerprint);
      return Reply.json(200, listing);
    }
    List<JsonNode> messages = new ArrayList<>();
    if (session.listedFingerprint() != null && !session.listedFingerprint().equals(fingerprint)) {
      // What the agent listed is out of date: say so once, before the answer.
      messages.add(JsonRpc.notification("notifications/tools/list_changed"));
      sessions.listed(sessionId, fingerprint);
    }
    Exchange exchange;
    if ("ping".equals(method)) {
      exchange = new Exchange(response(id, NODES.objectNode()), List.of(), false, 0);
    } else if ("tools/call".equals(method)) {
      exchange = call(caller, session, sessionId, visible, message);
    } else {
      exchange =
          new Exchange(
              JsonRpc.error(id, -32601, "Method not found: /mcp/v1 offers tools only (tools/list, tools/call, ping); use /mcp/v1/connections/{connection_id} for " + JsonRpc.clean(method)),
              List.of(),
              false,
              0);
    }
    messages.addAll(exchange.notifications());
    messages.add(exchange.response());
    boolean stream = acceptsStream && messages.size() > 1;
    return stream ? new Reply(200, messages, true, null) : Reply.json(200, exchange.response());
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
      futures.add(vertx.executeBlocking(() -> listOne(r, known, deadline), false).toCompletionStage().toCompletableFuture());
    }
    long waitUntil = System.nanoTime() + config.listTimeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    ArrayNode tools = NODES.arrayNode();
    for (int i = 0; i < asked.size(); i++) {
      ConnectionView c = asked.get(i);
      Part part = await(futures.get(i), waitUntil);
      if (part.failure() != null && part.failure().reason() == Reason.UNAUTHORIZED && renewal.renew(c.id(), credentials.get(i).headers())) {
        Optional<ResolvedView> renewed = connections.resolve(c.id());
        if (renewed.isPresent()) {
          part = listOne(renewed.get(), part.opened() != null ? part.opened() : session.upstreams().get(c.id()), Deadline.after(config.listTimeout()));
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
  private Part listOne(ResolvedView r, UpstreamSession known, Deadline deadline) {
    UpstreamSession opened = null;
    try {
      UpstreamSession upstream = known;
      if (upstream == null) {
        upstream = opened = open(r, deadline);
      }
      try {
        return new Part(pages(r, upstream, deadline), opened, null);
      } catch (McpException e) {
        if (known == null || e.failed().reason() != Reason.SESSION_ENDED) {
          throw e;
        }
        opened = open(r, deadline);
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

  /** Opens an upstream session of Plugboard's own. */
  private UpstreamSession open(ResolvedView r, Deadline deadline) throws McpException {
    return gateway.openOwn(r, NEWEST, deadline);
  }

  // ---- tools/call -------------------------------------------------------------------------------

  private Exchange call(Caller caller, Session session, String sessionId, List<ConnectionView> visible, ObjectNode message) {
    JsonNode id = message.get("id");
    String name = GatewayService.toolName(message);
    if (PersonNeeded.CONNECT_TOOL.equals(name)) {
      return local(person.connect(caller, visible, message, session.elicitationUrl()));
    }
    int split = name == null ? -1 : name.indexOf(SEPARATOR);
    ConnectionView connection = null;
    if (split > 0) {
      String slug = name.substring(0, split);
      connection = visible.stream().filter(c -> c.slug().equals(slug)).findFirst().orElse(null);
    }
    if (connection == null) {
      String shown = name == null ? "(no name)" : JsonRpc.clean(name);
      return local(JsonRpc.error(id, GatewayService.INVALID_PARAMS, "Unknown tool: " + shown + " (tools here are named <connection slug>__<tool>; see tools/list)"));
    }
    String tool = name.substring(split + SEPARATOR.length());
    if (!connection.toolAllowed(tool)) {
      return local(gateway.refused(caller, connection, message, tool));
    }
    if (PersonNeeded.byView(connection)) {
      return local(gateway.personNeeded(caller, connection, session, message, tool).messages().get(0));
    }
    ObjectNode forwarded = message.deepCopy();
    ((ObjectNode) forwarded.get("params")).put("name", tool);
    UUID connectionId = connection.id();
    try {
      return gateway.callTool(caller, connectionId, tool, () -> callIn(caller, session, sessionId, connectionId, forwarded));
    } catch (McpException e) {
      if (person.afterRefusal(caller, connection, e)) {
        return local(person.answer(caller, connection, message, session.elicitationUrl(), e));
      }
      LOG.infof("gateway: tools/call to connection %s failed: %s", connectionId, e.failed().reason());
      return local(GatewayService.upstreamError(id, e.failed()));
    }
  }

  /** Forwards within the session's upstream session on the connection, opening one when there is none or it ended. */
  private Exchange callIn(Caller caller, Session session, String sessionId, UUID connectionId, ObjectNode call) throws McpException {
    UpstreamSession known = session.upstreams().get(connectionId);
    return gateway.withCredentials(
        connections.usable(caller, connectionId),
        r -> {
          UpstreamSession upstream = known != null ? known : kept(sessionId, connectionId, open(r, gateway.deadline()));
          try {
            return client.forward(r.serverUrl(), r.headers(), upstream, call, gateway.deadline());
          } catch (McpException e) {
            if (known == null || e.failed().reason() != Reason.SESSION_ENDED) {
              throw e;
            }
            return client.forward(r.serverUrl(), r.headers(), kept(sessionId, connectionId, open(r, gateway.deadline())), call, gateway.deadline());
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
    List<ConnectionView> all = new ArrayList<>();
    ListView page;
    do {
      page = connections.list(caller, null, PAGE, all.size());
      all.addAll(page.integrations());
    } while (!page.integrations().isEmpty() && all.size() < page.total());
    List<ConnectionView> mcpOnes = new ArrayList<>();
    for (ConnectionView c : all) {
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

  private static Exchange local(JsonNode response) {
    return new Exchange(response, List.of(), false, 0);
  }
}
