package dev.plugboard.mcp;

import static dev.plugboard.mcp.JsonRpc.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Listed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.mcp.ToolListing.Transport;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.net.GuardedHttp.Inflight;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Stream;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.net.OutboundPolicy;
import dev.plugboard.net.UrlNotAllowedException;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Plugboard's MCP client over Streamable HTTP (2025-03-26 to 2025-11-25, with or without a session;
 * {@link StreamableTransport}), the 2026-07-28 revision (no handshake, per-request {@code _meta};
 * {@link ModernTransport}) and the deprecated HTTP+SSE transport ({@link LegacySseTransport}). It
 * finds out which one a server speaks, then lists its tools (the probe) or forwards any message
 * within an upstream session that outlives the call ({@link UpstreamSession}, the gateway). Every
 * request goes through {@link GuardedHttp}, so the outbound policy, timeouts and size caps hold;
 * caller headers go on every request and are never logged.
 */
@ApplicationScoped
public class McpClient {

  private static final Logger LOG = Logger.getLogger(McpClient.class);

  /** The newest handshake-based revision; servers answer with theirs. */
  static final String LEGACY_VERSION = "2025-11-25";

  /** The revisions a client may negotiate through a handshake, oldest first. */
  public static final Set<String> HANDSHAKE_VERSIONS = Set.of("2024-11-05", "2025-03-26", "2025-06-18", LEGACY_VERSION);

  private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(5);

  /** Headers the protocol sets; a caller's own value for one of them is ignored. */
  private static final Set<String> RESERVED =
      Set.of(
          "accept", "content-type", "content-length", "host", "connection", "transfer-encoding", "te",
          "upgrade", "keep-alive", "expect", "last-event-id", "mcp-session-id", "mcp-protocol-version",
          "mcp-method", "mcp-name");

  /** How an upstream session is reached again. */
  public enum Kind {
    /** Streamable HTTP after a handshake; {@code sessionId} may be null (a stateless server). */
    STREAMABLE_HTTP,
    /** The 2026-07-28 revision: nothing to keep between requests. */
    MODERN,
    /** HTTP+SSE: its session lives as long as one event stream, so every use opens a new one. */
    LEGACY_SSE
  }

  /** What must be kept to use an upstream session again, on any replica. Holds no secret. */
  public record UpstreamSession(Kind kind, String sessionId, String protocolVersion) {}

  /**
   * A forwarded request's outcome: the server's response (null for a notification or response),
   * the notifications it sent meanwhile, whether it answered as an event stream, and the HTTP status
   * of its last answer (0 when none was read).
   */
  public record Exchange(JsonNode response, List<JsonNode> notifications, boolean streamed, int httpStatus) {}

  /** An {@code initialize} forwarded: the session to keep and the server's answer. */
  public record Opened(UpstreamSession session, Exchange exchange) {}

  private final GuardedHttp http;
  private final OutboundPolicy policy;
  private final McpConfig config;
  private final Vertx vertx;
  private final String clientVersion;

  public McpClient(
      GuardedHttp http,
      OutboundPolicy policy,
      McpConfig config,
      Vertx vertx,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String clientVersion) {
    this.http = http;
    this.policy = policy;
    this.config = config;
    this.vertx = vertx;
    this.clientVersion = clientVersion;
  }

  // ---- the probe ------------------------------------------------------------------------------

  /**
   * Lists the tools of the MCP server at {@code url}, sending {@code headers} on every request.
   * Blocks (worker threads only) for at most the outbound policy's whole-call timeout.
   *
   * @throws UrlNotAllowedException when the outbound policy refuses {@code url} (400 url_not_allowed)
   */
  public ToolListing listTools(String url, Map<String, String> headers) {
    return listTools(url, headers, http.newDeadline());
  }

  /** As {@link #listTools(String, Map)}, ending at {@code deadline}. */
  public ToolListing listTools(String url, Map<String, String> headers, Deadline deadline) {
    try {
      policy.vet(url); // a refusal leaves as 400 url_not_allowed
    } catch (OutboundFailure f) {
      return failed(f);
    }
    Upstream upstream = new Upstream(http, url, callerHeaders(headers), deadline, clientVersion);
    McpTransport transport = null;
    try {
      Connected connected = connect(upstream, JsonRpc.request(upstream.nextId(), "initialize", upstream.initializeParams(LEGACY_VERSION)));
      transport = connected.transport();
      if (transport instanceof ModernTransport modern) {
        JsonNode capabilities = discover(modern).get("capabilities");
        if (capabilities instanceof ObjectNode caps && !caps.has("tools")) {
          return new Listed(Transport.STREAMABLE_HTTP, ModernTransport.VERSION, List.of());
        }
        return new Listed(Transport.STREAMABLE_HTTP, ModernTransport.VERSION, listAll(modern));
      }
      if (transport instanceof StreamableTransport streamable) {
        JsonRpc.result(connected.initialized(), "initialize");
        streamable.send(JsonRpc.notification("notifications/initialized"));
        return new Listed(Transport.STREAMABLE_HTTP, streamable.version(), listAll(streamable));
      }
      LegacySseTransport sse = (LegacySseTransport) transport;
      ObjectNode result = JsonRpc.result(connected.initialized(), "initialize");
      sse.send(JsonRpc.notification("notifications/initialized"));
      return new Listed(Transport.SSE, JsonRpc.text(result.get("protocolVersion"), "2024-11-05"), listAll(sse));
    } catch (McpException f) {
      return upstream.redacted(f.failed());
    } catch (OutboundFailure f) {
      return failed(f);
    } catch (UrlNotAllowedException e) {
      return redirectRefused();
    } finally {
      upstream.close();
      if (transport instanceof StreamableTransport s && s.session() != null) {
        endSession(s.endpoint(), upstream.caller, new UpstreamSession(Kind.STREAMABLE_HTTP, s.session(), s.version()));
      }
    }
  }

  private List<McpTool> listAll(McpTransport channel) throws McpException, OutboundFailure {
    List<McpTool> tools = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String cursor = null;
    for (int page = 1; ; page++) {
      if (page > config.maxPages()) {
        throw new McpException(Reason.PROTOCOL, "tools/list did not end after " + config.maxPages() + " pages");
      }
      ObjectNode params = NODES.objectNode();
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      ObjectNode result = channel.request("tools/list", params);
      if (!(result.get("tools") instanceof ArrayNode list)) {
        throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the tools/list result has no tools array");
      }
      for (JsonNode tool : list) {
        if (!tool.isObject() || tool.get("name") == null || !tool.get("name").isTextual()) {
          throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: tools/list lists a tool without a name");
        }
        tools.add(new McpTool(tool.get("name").asText(), tool.get("description"), tool.get("inputSchema")));
      }
      if (tools.size() > config.maxTools()) {
        throw new McpException(Reason.TOO_LARGE, "the server lists more than " + config.maxTools() + " tools");
      }
      JsonNode next = result.get("nextCursor");
      if (next == null || next.isNull() || (next.isTextual() && next.asText().isEmpty())) {
        return tools;
      }
      if (!next.isTextual()) {
        throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: nextCursor is not a string");
      }
      if (!cursors.add(next.asText())) {
        throw new McpException(Reason.PROTOCOL, "tools/list repeated a cursor");
      }
      cursor = next.asText();
    }
  }

  // ---- the gateway ----------------------------------------------------------------------------

  /**
   * Forwards a client's {@code initialize} to the server at {@code url}, finding out its transport.
   * A 2026-07-28 server has no handshake: its {@code server/discover} answer is turned into the
   * {@code initialize} result the client expects.
   */
  public Opened initialize(String url, Map<String, String> headers, ObjectNode initialize, Deadline deadline) throws McpException {
    return guarded(
        url,
        headers,
        deadline,
        upstream -> {
          Connected connected = connect(upstream, initialize.deepCopy());
          JsonNode response = connected.initialized();
          UpstreamSession session;
          if (connected.transport() instanceof StreamableTransport s) {
            session = new UpstreamSession(Kind.STREAMABLE_HTTP, s.session(), s.version());
          } else if (connected.transport() instanceof ModernTransport m) {
            response = discoveredAsInitialize(initialize, discover(m));
            session = new UpstreamSession(Kind.MODERN, null, ModernTransport.VERSION);
          } else {
            session =
                new UpstreamSession(Kind.LEGACY_SSE, null, JsonRpc.text(response.path("result").get("protocolVersion"), "2024-11-05"));
          }
          return new Opened(session, new Exchange(response, upstream.notifications(), upstream.streamed(), upstream.lastStatus()));
        });
  }

  /**
   * Forwards one message (request, notification, or response to a server request) within {@code
   * session}. Requests get the server's response verbatim, JSON-RPC errors included.
   */
  public Exchange forward(String url, Map<String, String> headers, UpstreamSession session, ObjectNode message, Deadline deadline)
      throws McpException {
    return guarded(
        url,
        headers,
        deadline,
        upstream -> {
          McpTransport transport = reopen(upstream, session);
          JsonNode response = null;
          if (JsonRpc.isRequest(message)) {
            response = transport.call(message.deepCopy());
          } else if (!(transport instanceof LegacySseTransport && "notifications/initialized".equals(message.path("method").asText()))) {
            transport.send(message.deepCopy()); // a legacy session was already initialized when reopened
          }
          return new Exchange(response, upstream.notifications(), upstream.streamed(), upstream.lastStatus());
        });
  }

  /** A forwarded request: answered already ({@code done}), or answering as an open event stream ({@code live}). */
  public record Started(Exchange done, LiveCall live) {}

  /**
   * As {@link #forward} for a request, but when a Streamable HTTP server answers with an event stream
   * the stream is handed back open once its headers are in, to be read as the server writes it.
   * Failures before that (refusals, an ended session) are thrown here, as by forward.
   */
  public Started start(String url, Map<String, String> headers, UpstreamSession session, ObjectNode request, Deadline deadline)
      throws McpException {
    return start(url, headers, session, request, deadline, null);
  }

  /**
   * {@link #start}, when {@code sent} (null: none) is {@link #firstRequest} already sent from an event
   * loop: its answer is read here, unread parts and all, instead of sending it again.
   */
  public Started start(String url, Map<String, String> headers, UpstreamSession session, ObjectNode request, Deadline deadline, Inflight sent)
      throws McpException {
    if (session.kind() != Kind.STREAMABLE_HTTP || !JsonRpc.isRequest(request)) {
      return new Started(forward(url, headers, session, request, deadline), null);
    }
    return guarded(
        url,
        headers,
        deadline,
        sent == null ? null : sent.claim(),
        upstream -> {
          StreamableTransport transport = new StreamableTransport(upstream, upstream.url, session.sessionId(), session.protocolVersion());
          Upstream.Opening opening = transport.open(request.deepCopy());
          if (opening.live() != null) {
            return new Started(null, new LiveCall(upstream, opening.live()));
          }
          return new Started(new Exchange(opening.answer().response(), upstream.notifications(), upstream.streamed(), upstream.lastStatus()), null);
        });
  }

  // ---- a request answered on an event loop ---------------------------------------------------

  /** The most of an answer read on an event loop ({@link #answeredOnLoop}); past it, a worker reads. */
  private static final int MAX_ON_LOOP = 64 * 1024;

  /**
   * The request {@link #start} sends first for {@code request} in a Streamable HTTP session, for an
   * event loop to send ({@link GuardedHttp#startOnLoop}); null for other sessions.
   */
  public Request firstRequest(String url, Map<String, String> headers, UpstreamSession session, ObjectNode request) {
    if (session.kind() != Kind.STREAMABLE_HTTP || !JsonRpc.isRequest(request)) {
      return null;
    }
    return Request.post(url, Upstream.headers(callerHeaders(headers), session.sessionId(), session.protocolVersion(), null), request.toString());
  }

  /** How far an answer read on an event loop has come: an exchange, not yet ({@link #WAIT}), or one for a worker ({@link #HAND_OVER}). */
  public record OnLoop(Exchange exchange, boolean handOver) {
    public static final OnLoop WAIT = new OnLoop(null, false);
    public static final OnLoop HAND_OVER = new OnLoop(null, true);
  }

  /**
   * The commonest answers to {@link #firstRequest}, read on the event loop as they arrive and taken as
   * {@link #start} takes them: a 2xx JSON body holding the response, or a 2xx event stream whose first
   * message is the response. Anything else (a refusal, notifications or server requests first, a
   * failure, a long answer) is {@link OnLoop#HAND_OVER}: left unread for {@link #start} on a worker.
   */
  public OnLoop answeredOnLoop(Inflight sent, ObjectNode request) {
    if (!sent.answering()) {
      return sent.failed() ? OnLoop.HAND_OVER : OnLoop.WAIT;
    }
    int status = sent.status();
    GuardedHttp.Peek peek = sent.peek();
    if (status < 200 || status >= 300 || status == 202 || status == 204 || peek == null || peek.bytes().length > MAX_ON_LOOP) {
      return OnLoop.HAND_OVER;
    }
    String type = sent.contentType();
    JsonNode id = request.get("id");
    if (JsonRpc.isJson(type)) {
      if (!peek.ended()) {
        return OnLoop.WAIT;
      }
      JsonNode response = JsonRpc.responseIn(JsonRpc.parseQuietly(peek.bytes()), id);
      return response == null ? OnLoop.HAND_OVER : new OnLoop(new Exchange(response, List.of(), false, status), false);
    }
    if (!type.startsWith("text/event-stream")) {
      return OnLoop.HAND_OVER;
    }
    String text = new String(peek.bytes(), java.nio.charset.StandardCharsets.UTF_8);
    int complete = peek.ended() ? text.length() : endOfLastEvent(text);
    java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.StringReader(text.substring(0, Math.max(0, complete))));
    SseEvents events =
        new SseEvents(
            () -> {
              try {
                return lines.readLine();
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e); // a StringReader does not fail
              }
            });
    SseEvents.Event first;
    try {
      first = Upstream.firstMessage(events);
    } catch (OutboundFailure e) {
      return OnLoop.HAND_OVER;
    }
    if (first == null) {
      return peek.ended() ? OnLoop.HAND_OVER : OnLoop.WAIT;
    }
    JsonNode message = JsonRpc.parseQuietly(first.data().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Upstream.isResponseTo(message, id) ? new OnLoop(new Exchange(message, List.of(), true, status), false) : OnLoop.HAND_OVER;
  }

  /** Where the last whole event of an event stream ends (after its blank line), or -1. */
  static int endOfLastEvent(String text) {
    int lf = text.lastIndexOf("\n\n");
    int cr = text.lastIndexOf("\r\r");
    int crlf = text.lastIndexOf("\r\n\r\n");
    return Math.max(lf < 0 ? -1 : lf + 2, Math.max(cr < 0 ? -1 : cr + 2, crlf < 0 ? -1 : crlf + 4));
  }

  @FunctionalInterface
  private interface Use<T> {
    T run(Upstream upstream) throws McpException, OutboundFailure;
  }

  /** Runs {@code use} against the vetted {@code url}; every failure leaves as a redacted {@link McpException}. */
  private <T> T guarded(String url, Map<String, String> headers, Deadline deadline, Use<T> use) throws McpException {
    return guarded(url, headers, deadline, null, use);
  }

  private <T> T guarded(String url, Map<String, String> headers, Deadline deadline, Inflight sent, Use<T> use) throws McpException {
    Upstream upstream = new Upstream(http, url, callerHeaders(headers), deadline, clientVersion);
    if (sent != null) {
      upstream.alreadySent(sent);
    }
    T result = null;
    try {
      vet(url);
      result = use.run(upstream);
      return result;
    } catch (McpException f) {
      throw new McpException(upstream.redacted(f.failed()));
    } catch (OutboundFailure f) {
      throw new McpException(upstream.redacted(failed(f)));
    } catch (UrlNotAllowedException e) {
      throw new McpException(redirectRefused());
    } finally {
      if (!(result instanceof Started started && started.live() != null)) {
        upstream.close(); // a live answer's stream is closed by whoever reads it
      }
    }
  }

  /** Ends an upstream session (HTTP DELETE), off the caller's path; best effort. */
  public void endSession(String url, Map<String, String> headers, UpstreamSession session) {
    if (session.kind() != Kind.STREAMABLE_HTTP || session.sessionId() == null) {
      return;
    }
    Map<String, String> h = callerHeaders(headers);
    h.put("Mcp-Session-Id", session.sessionId());
    h.put("MCP-Protocol-Version", session.protocolVersion());
    Request delete = new Request("DELETE", url, h, null);
    vertx.executeBlocking(
        () -> {
          try {
            http.exchange(delete, Deadline.after(DELETE_TIMEOUT));
          } catch (OutboundFailure | RuntimeException e) {
            LOG.debugf("ending an MCP session failed: %s", e.getMessage());
          }
          return null;
        },
        false);
  }

  private McpTransport reopen(Upstream upstream, UpstreamSession session) throws McpException, OutboundFailure {
    return switch (session.kind()) {
      case STREAMABLE_HTTP -> new StreamableTransport(upstream, upstream.url, session.sessionId(), session.protocolVersion());
      case MODERN -> new ModernTransport(upstream, upstream.url);
      case LEGACY_SSE -> {
        // Its own id, so it cannot clash with the ids of the client whose message follows.
        ObjectNode init = JsonRpc.request(TextNode.valueOf("plugboard-initialize"), "initialize", upstream.initializeParams(session.protocolVersion()));
        Connected c = legacySse(upstream, null, null, init);
        JsonRpc.result(c.initialized(), "initialize");
        c.transport().send(JsonRpc.notification("notifications/initialized"));
        yield c.transport();
      }
    };
  }

  private static JsonNode discoveredAsInitialize(ObjectNode initialize, ObjectNode discovered) {
    String asked = initialize.path("params").path("protocolVersion").asText("");
    ObjectNode result = NODES.objectNode();
    result.put("protocolVersion", HANDSHAKE_VERSIONS.contains(asked) ? asked : LEGACY_VERSION);
    result.set("capabilities", discovered.get("capabilities") instanceof ObjectNode caps ? caps : NODES.objectNode());
    // The revision puts the server's identity in _meta; earlier drafts had it at the top.
    JsonNode info = discovered.path("_meta").get("io.modelcontextprotocol/serverInfo");
    if (!(info instanceof ObjectNode)) {
      info = discovered.get("serverInfo") instanceof ObjectNode top ? top : NODES.objectNode().put("name", "mcp").put("version", "unknown");
    }
    result.set("serverInfo", info);
    if (discovered.get("instructions") != null && discovered.get("instructions").isTextual()) {
      result.set("instructions", discovered.get("instructions"));
    }
    ObjectNode response = NODES.objectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", initialize.get("id"));
    response.set("result", result);
    return response;
  }

  // ---- finding out the transport --------------------------------------------------------------

  /** A transport in use, and the server's answer to {@code initialize} (null for the 2026-07-28 revision). */
  private record Connected(McpTransport transport, JsonNode initialized) {}

  /** Sends {@code initialize} the Streamable HTTP way; falls back to the 2026-07-28 revision, then to HTTP+SSE. */
  private Connected connect(Upstream upstream, ObjectNode initialize) throws McpException, OutboundFailure {
    String url = upstream.url;
    Upstream.Answer init = upstream.send(url, upstream.headers(null, null, null), initialize, initialize.get("id"), true);
    if (init.ok()) {
      if (init.response() == null) {
        throw new McpException(Reason.NOT_MCP, "not an MCP endpoint: initialize got HTTP " + init.status() + " without an answer");
      }
      JsonNode error = init.response().get("error");
      if (error != null && JsonRpc.isModernError(error, init.status())) {
        return new Connected(new ModernTransport(upstream, init.url()), null);
      }
      String version = JsonRpc.text(init.response().path("result").get("protocolVersion"), LEGACY_VERSION);
      return new Connected(new StreamableTransport(upstream, init.url(), init.sessionId(), version), init.response());
    }
    if (init.status() == 401 || init.status() == 403) {
      throw upstream.auth(init.status(), init.wwwAuthenticate());
    }
    JsonNode errorBody = JsonRpc.parseQuietly(init.body());
    JsonNode error = errorBody == null ? null : errorBody.get("error");
    if (error != null && JsonRpc.isModernError(error, init.status())) {
      return new Connected(new ModernTransport(upstream, init.url()), null);
    }
    if (init.status() == 400 || init.status() == 404 || init.status() == 405) {
      return legacySse(upstream, init, error, initialize);
    }
    throw upstream.httpError(init.status(), "initialize", errorBody);
  }

  /** The 2026-07-28 revision's capabilities, after checking that it is a version Plugboard speaks. */
  private static ObjectNode discover(ModernTransport channel) throws McpException, OutboundFailure {
    ObjectNode discovered = channel.request("server/discover", NODES.objectNode());
    JsonNode versions = discovered.get("supportedVersions");
    if (versions instanceof ArrayNode list && !list.isEmpty()) {
      boolean supported = false;
      for (JsonNode v : list) {
        supported |= ModernTransport.VERSION.equals(v.asText());
      }
      if (!supported) {
        throw new McpException(Reason.PROTOCOL, "the server speaks MCP " + JsonRpc.clean(list.toString()) + "; Plugboard speaks up to " + ModernTransport.VERSION);
      }
    }
    return discovered;
  }

  /**
   * The deprecated HTTP+SSE transport: GET an event stream, POST {@code initialize} to its endpoint.
   * {@code post} is the Streamable HTTP attempt that led here, if any (its error explains more).
   */
  private Connected legacySse(Upstream upstream, Upstream.Answer post, JsonNode postError, ObjectNode initialize)
      throws McpException, OutboundFailure {
    Map<String, String> h = new LinkedHashMap<>(upstream.caller);
    h.put("Accept", "text/event-stream");
    Stream stream = http.open(Request.get(upstream.url, h), upstream.deadline);
    upstream.holdStream(stream);
    int status = stream.status();
    if (status == 401 || status == 403) {
      throw upstream.auth(status, stream.header("www-authenticate"));
    }
    if (status != 200 || !stream.contentType().startsWith("text/event-stream")) {
      if (postError != null) { // a JSON-RPC error to initialize says more than "not MCP"
        throw upstream.httpError(post.status(), "initialize", JsonRpc.parseQuietly(post.body()));
      }
      String got = status != 200 ? "HTTP " + status : Upstream.describe(stream.contentType());
      String posted = post == null ? "" : "POST got HTTP " + post.status() + Upstream.describeType(post.contentType()) + ", ";
      throw new McpException(Reason.NOT_MCP, "not an MCP endpoint: " + posted + "GET got " + got);
    }
    SseEvents events = new SseEvents(stream);
    SseEvents.Event event;
    do {
      event = events.next();
    } while (event != null && !event.type().equals("endpoint"));
    if (event == null) {
      throw new McpException(Reason.NOT_MCP, "not an MCP endpoint: the event stream ended without an endpoint event");
    }
    URI base = URI.create(stream.url());
    URI endpoint;
    try {
      endpoint = base.resolve(event.data().trim());
    } catch (IllegalArgumentException e) {
      throw new McpException(Reason.PROTOCOL, "the server sent an invalid endpoint URL");
    }
    // Caller headers (credentials) must not be sent to another origin than the one they were given for.
    if (!origin(endpoint).equals(origin(base))) {
      throw new McpException(Reason.PROTOCOL, "the server's message endpoint is on another origin");
    }
    LegacySseTransport channel = new LegacySseTransport(upstream, endpoint.toString(), events);
    // A new session: the initialize id of the failed Streamable HTTP attempt may be used again.
    return new Connected(channel, channel.call(initialize));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Map<String, String> callerHeaders(Map<String, String> headers) {
    Map<String, String> kept = new LinkedHashMap<>();
    if (headers != null) {
      headers.forEach(
          (name, value) -> {
            if (!RESERVED.contains(name.toLowerCase(Locale.ROOT)) && value != null) {
              kept.put(name, value);
            }
          });
    }
    return kept;
  }

  /** The connection's own URL, vetted: a refusal is the connection's fault, worded for a person. */
  private void vet(String url) throws McpException, OutboundFailure {
    try {
      policy.vet(url);
    } catch (UrlNotAllowedException e) {
      throw new McpException(Reason.REDIRECT_REFUSED, "the outbound policy refuses the connection's server URL: " + e.getMessage());
    }
  }

  /** The first vetting passed: a later hop (redirect, re-resolved name) was refused. */
  static Failed redirectRefused() {
    return new Failed(Reason.REDIRECT_REFUSED, "the server led to an address the outbound policy refuses", 0, null);
  }

  static Failed failed(OutboundFailure f) {
    return switch (f.kind()) {
      case TIMEOUT -> new Failed(Reason.TIMEOUT, "the server did not answer in time: " + f.getMessage(), 0, null);
      case TOO_LARGE -> new Failed(Reason.TOO_LARGE, "the server's answer is too large: " + f.getMessage(), 0, null);
      case REDIRECT_REFUSED, TOO_MANY_REDIRECTS ->
          new Failed(Reason.REDIRECT_REFUSED, "redirect refused: " + f.getMessage(), 0, null);
      case PROTOCOL -> new Failed(Reason.PROTOCOL, f.getMessage(), 0, null);
      case UNREACHABLE -> new Failed(Reason.UNREACHABLE, "could not reach the server: " + f.getMessage(), 0, null);
    };
  }

  private static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT) + ":" + port;
  }
}
