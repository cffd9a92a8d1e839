package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Listed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.mcp.ToolListing.Transport;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Stream;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.net.OutboundPolicy;
import dev.plugboard.net.UrlNotAllowedException;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * Plugboard's MCP client: lists the tools of any MCP server over Streamable HTTP (2025-03-26 to
 * 2025-11-25, with or without a session), the 2026-07-28 revision (no handshake, per-request
 * {@code _meta}) and the deprecated HTTP+SSE transport. Every request goes through {@link
 * GuardedHttp}, so the outbound policy, timeouts and size caps hold; caller headers go on every
 * request and are never logged.
 */
@ApplicationScoped
public class McpClient {

  private static final Logger LOG = Logger.getLogger(McpClient.class);

  /** The newest handshake-based revision; servers answer with theirs. */
  static final String LEGACY_VERSION = "2025-11-25";

  /** The newest revision, which has no handshake. */
  static final String MODERN_VERSION = "2026-07-28";

  private static final String ACCEPT_BOTH = "application/json, text/event-stream";
  private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_RESUMES = 3;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Headers the protocol sets; a caller's own value for one of them is ignored. */
  private static final Set<String> RESERVED =
      Set.of(
          "accept", "content-type", "content-length", "host", "connection", "transfer-encoding", "te",
          "upgrade", "keep-alive", "expect", "last-event-id", "mcp-session-id", "mcp-protocol-version",
          "mcp-method", "mcp-name");

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
    Run run = new Run(url, callerHeaders(headers), deadline);
    try {
      return run.listTools();
    } catch (McpFailure f) {
      return run.redacted(f.failed);
    } catch (OutboundFailure f) {
      return failed(f);
    } catch (UrlNotAllowedException e) {
      // The first vetting passed: a later hop (redirect, re-resolved name) was refused.
      return new Failed(Reason.REDIRECT_REFUSED, "the server led to an address the outbound policy refuses", 0, null);
    } finally {
      run.close();
    }
  }

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

  private static Failed failed(OutboundFailure f) {
    return switch (f.kind()) {
      case TIMEOUT -> new Failed(Reason.TIMEOUT, "the server did not answer in time: " + f.getMessage(), 0, null);
      case TOO_LARGE -> new Failed(Reason.TOO_LARGE, "the server's answer is too large: " + f.getMessage(), 0, null);
      case REDIRECT_REFUSED, TOO_MANY_REDIRECTS ->
          new Failed(Reason.REDIRECT_REFUSED, "redirect refused: " + f.getMessage(), 0, null);
      case PROTOCOL -> new Failed(Reason.PROTOCOL, f.getMessage(), 0, null);
      case UNREACHABLE -> new Failed(Reason.UNREACHABLE, "could not reach the server: " + f.getMessage(), 0, null);
    };
  }

  /** Ends a listing early with a failure meant for the caller. */
  private static final class McpFailure extends Exception {
    final Failed failed;

    McpFailure(Reason reason, String message) {
      this(new Failed(reason, message, 0, null));
    }

    McpFailure(Failed failed) {
      super(failed.message(), null, false, false);
      this.failed = failed;
    }
  }

  /** A POST answer: the JSON-RPC response for 2xx (null when none came), the raw body otherwise. */
  private record Answer(int status, String url, String sessionId, String wwwAuthenticate, String contentType, JsonNode response, byte[] body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** Sends requests over one transport. */
  private interface Channel {
    /** The {@code result} of a request (an object), or a failure. */
    ObjectNode request(String method, ObjectNode params) throws McpFailure, OutboundFailure;
  }

  /** One listing: its headers, deadline, request ids and whatever must be closed at the end. */
  private final class Run {
    private final String url;
    private final Map<String, String> caller;
    private final Deadline deadline;
    private int nextId = 1;
    private Stream sseStream;
    private String sessionEndpoint;
    private String sessionId;
    private String sessionVersion;

    Run(String url, Map<String, String> caller, Deadline deadline) {
      this.url = url;
      this.caller = caller;
      this.deadline = deadline;
    }

    ToolListing listTools() throws McpFailure, OutboundFailure {
      int id = nextId++;
      Answer init = send(url, headers(null, null, null), message(id, "initialize", initializeParams()), id, true);
      if (init.ok()) {
        if (init.response() == null) {
          throw new McpFailure(Reason.NOT_MCP, "not an MCP endpoint: initialize got HTTP " + init.status() + " without an answer");
        }
        JsonNode error = init.response().get("error");
        if (error != null && isModernError(error, init.status())) {
          return modern(init.url());
        }
        ObjectNode result = result(init.response(), "initialize");
        String version = text(result.get("protocolVersion"), LEGACY_VERSION);
        sessionEndpoint = init.url();
        sessionId = init.sessionId();
        sessionVersion = version;
        Streamable channel = new Streamable(init.url(), init.sessionId(), version);
        channel.notifyInitialized();
        return new Listed(Transport.STREAMABLE_HTTP, version, listAll(channel));
      }
      if (init.status() == 401 || init.status() == 403) {
        throw auth(init.status(), init.wwwAuthenticate());
      }
      JsonNode errorBody = parseQuietly(init.body());
      JsonNode error = errorBody == null ? null : errorBody.get("error");
      if (error != null && isModernError(error, init.status())) {
        return modern(init.url());
      }
      if (init.status() == 400 || init.status() == 404 || init.status() == 405) {
        return legacySse(init, error);
      }
      throw httpError(init.status(), "initialize", errorBody);
    }

    /** The 2026-07-28 revision: no handshake, version and identity in every request's {@code _meta}. */
    private ToolListing modern(String endpoint) throws McpFailure, OutboundFailure {
      Channel channel = new Modern(endpoint);
      ObjectNode discovered = channel.request("server/discover", NODES.objectNode());
      JsonNode versions = discovered.get("supportedVersions");
      if (versions instanceof ArrayNode list && !list.isEmpty()) {
        boolean supported = false;
        for (JsonNode v : list) {
          supported |= MODERN_VERSION.equals(v.asText());
        }
        if (!supported) {
          throw new McpFailure(Reason.PROTOCOL, "the server speaks MCP " + clean(list.toString()) + "; Plugboard speaks up to " + MODERN_VERSION);
        }
      }
      JsonNode capabilities = discovered.get("capabilities");
      if (capabilities instanceof ObjectNode caps && !caps.has("tools")) {
        return new Listed(Transport.STREAMABLE_HTTP, MODERN_VERSION, List.of());
      }
      return new Listed(Transport.STREAMABLE_HTTP, MODERN_VERSION, listAll(channel));
    }

    /** The deprecated HTTP+SSE transport: GET an event stream, POST messages to its endpoint. */
    private ToolListing legacySse(Answer post, JsonNode postError) throws McpFailure, OutboundFailure {
      Map<String, String> h = new LinkedHashMap<>(caller);
      h.put("Accept", "text/event-stream");
      Stream stream = http.open(Request.get(url, h), deadline);
      sseStream = stream;
      int status = stream.status();
      if (status == 401 || status == 403) {
        throw auth(status, stream.header("www-authenticate"));
      }
      if (status != 200 || !stream.contentType().startsWith("text/event-stream")) {
        if (postError != null) { // a JSON-RPC error to initialize says more than "not MCP"
          throw httpError(post.status(), "initialize", parseQuietly(post.body()));
        }
        String got = status != 200 ? "HTTP " + status : describe(stream.contentType());
        throw new McpFailure(
            Reason.NOT_MCP,
            "not an MCP endpoint: POST got HTTP " + post.status() + describeType(post.contentType()) + ", GET got " + got);
      }
      SseEvents events = new SseEvents(stream);
      SseEvents.Event event;
      do {
        event = events.next();
      } while (event != null && !event.type().equals("endpoint"));
      if (event == null) {
        throw new McpFailure(Reason.NOT_MCP, "not an MCP endpoint: the event stream ended without an endpoint event");
      }
      URI base = URI.create(stream.url());
      URI endpoint;
      try {
        endpoint = base.resolve(event.data().trim());
      } catch (IllegalArgumentException e) {
        throw new McpFailure(Reason.PROTOCOL, "the server sent an invalid endpoint URL");
      }
      // Caller headers (credentials) must not be sent to another origin than the one they were given for.
      if (!origin(endpoint).equals(origin(base))) {
        throw new McpFailure(Reason.PROTOCOL, "the server's message endpoint is on another origin");
      }
      Sse channel = new Sse(endpoint.toString(), events);
      ObjectNode result = channel.request("initialize", initializeParams());
      String version = text(result.get("protocolVersion"), "2024-11-05");
      channel.notifyInitialized();
      return new Listed(Transport.SSE, version, listAll(channel));
    }

    private List<McpTool> listAll(Channel channel) throws McpFailure, OutboundFailure {
      List<McpTool> tools = new ArrayList<>();
      Set<String> cursors = new HashSet<>();
      String cursor = null;
      for (int page = 1; ; page++) {
        if (page > config.maxPages()) {
          throw new McpFailure(Reason.PROTOCOL, "tools/list did not end after " + config.maxPages() + " pages");
        }
        ObjectNode params = NODES.objectNode();
        if (cursor != null) {
          params.put("cursor", cursor);
        }
        ObjectNode result = channel.request("tools/list", params);
        if (!(result.get("tools") instanceof ArrayNode list)) {
          throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the tools/list result has no tools array");
        }
        for (JsonNode tool : list) {
          if (!tool.isObject() || tool.get("name") == null || !tool.get("name").isTextual()) {
            throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: tools/list lists a tool without a name");
          }
          tools.add(new McpTool(tool.get("name").asText(), tool.get("description"), tool.get("inputSchema")));
        }
        if (tools.size() > config.maxTools()) {
          throw new McpFailure(Reason.TOO_LARGE, "the server lists more than " + config.maxTools() + " tools");
        }
        JsonNode next = result.get("nextCursor");
        if (next == null || next.isNull() || (next.isTextual() && next.asText().isEmpty())) {
          return tools;
        }
        if (!next.isTextual()) {
          throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: nextCursor is not a string");
        }
        if (!cursors.add(next.asText())) {
          throw new McpFailure(Reason.PROTOCOL, "tools/list repeated a cursor");
        }
        cursor = next.asText();
      }
    }

    private ObjectNode initializeParams() {
      ObjectNode params = NODES.objectNode();
      params.put("protocolVersion", LEGACY_VERSION);
      params.putObject("capabilities");
      params.set("clientInfo", clientInfo());
      return params;
    }

    private ObjectNode clientInfo() {
      ObjectNode info = NODES.objectNode();
      info.put("name", "plugboard");
      info.put("version", clientVersion);
      return info;
    }

    /** Caller headers plus the protocol's own. */
    private Map<String, String> headers(String session, String version, String method) {
      Map<String, String> h = new LinkedHashMap<>(caller);
      h.put("Accept", ACCEPT_BOTH);
      h.put("Content-Type", "application/json");
      if (session != null) {
        h.put("Mcp-Session-Id", session);
      }
      if (version != null) {
        h.put("MCP-Protocol-Version", version);
      }
      if (method != null) {
        h.put("Mcp-Method", method);
      }
      return h;
    }

    /**
     * POSTs one message. For a 2xx answer to a request, reads the JSON-RPC response with {@code id}
     * from a JSON body or an event stream; {@code requireAnswer=false} allows a 202 without one.
     */
    private Answer send(String target, Map<String, String> h, ObjectNode msg, int id, boolean requireAnswer)
        throws McpFailure, OutboundFailure {
      try (Stream s = http.open(Request.post(target, h, msg.toString()), deadline)) {
        int status = s.status();
        String session = s.header("mcp-session-id");
        String challenge = s.header("www-authenticate");
        String type = s.contentType();
        if (status < 200 || status >= 300) {
          return new Answer(status, s.url(), session, challenge, type, null, s.readAll());
        }
        if (id < 0 || status == 202 || status == 204) {
          return new Answer(status, s.url(), session, challenge, type, null, null);
        }
        String method = msg.path("method").asText();
        JsonNode response;
        if (isJson(type)) {
          byte[] body = s.readAll();
          // On the HTTP+SSE transport answers come on the event stream; a POST body is a bonus.
          response = requireAnswer ? pick(parse(body, method), id, method) : responseIn(parseQuietly(body), id);
        } else if (type.startsWith("text/event-stream")) {
          response = fromStream(s, new SseEvents(s), id, method, target, h);
        } else if (requireAnswer) {
          throw new McpFailure(Reason.NOT_MCP, "not an MCP endpoint: got " + describe(type));
        } else {
          response = null;
        }
        return new Answer(status, s.url(), session, challenge, type, response, null);
      }
    }

    /** Reads events until the response to {@code id}, resuming a stream the server closed early. */
    private JsonNode fromStream(Stream first, SseEvents events, int id, String method, String target, Map<String, String> h)
        throws McpFailure, OutboundFailure {
      Stream resumed = null;
      try {
        for (int resumes = 0; ; resumes++) {
          JsonNode response = awaitResponse(events, id, method, reply -> postReply(target, h, reply));
          if (response != null) {
            return response;
          }
          String lastId = events.lastEventId();
          if (lastId == null || resumes >= MAX_RESUMES) {
            throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the event stream ended without the answer to " + method);
          }
          Map<String, String> get = new LinkedHashMap<>(h);
          get.remove("Content-Type");
          get.put("Accept", "text/event-stream");
          get.put("Last-Event-ID", lastId);
          if (resumed != null) {
            resumed.close();
          }
          resumed = http.open(Request.get(target, get), deadline);
          if (resumed.status() != 200 || !resumed.contentType().startsWith("text/event-stream")) {
            throw new McpFailure(Reason.PROTOCOL, "the event stream ended early and could not be resumed (HTTP " + resumed.status() + ")");
          }
          events = new SseEvents(resumed);
        }
      } finally {
        if (resumed != null) {
          resumed.close();
        }
      }
    }

    private void postReply(String target, Map<String, String> h, ObjectNode reply) throws McpFailure, OutboundFailure {
      send(target, h, reply, -1, false);
    }

    ToolListing redacted(Failed f) {
      return new Failed(f.reason(), redact(f.message()), f.httpStatus(), f.wwwAuthenticate());
    }

    /** A server may echo what it was sent; the caller's header values never appear in a message. */
    private String redact(String message) {
      String out = message;
      for (String value : caller.values()) {
        if (value.length() >= 4) {
          out = out.replace(value, "[redacted]");
        }
      }
      return out;
    }

    private McpFailure auth(int status, String challenge) {
      boolean sentCredentials = caller.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"));
      String message =
          status == 401
              ? (sentCredentials ? "server refused the credentials (401)" : "server requires authentication (401)")
              : "server refused access with these credentials (403)";
      return new McpFailure(new Failed(status == 401 ? Reason.UNAUTHORIZED : Reason.FORBIDDEN, message, status, challenge));
    }

    /** Closes the legacy event stream and ends the session, off the caller's path. */
    void close() {
      if (sseStream != null) {
        sseStream.close();
      }
      if (sessionId != null) {
        Map<String, String> h = new LinkedHashMap<>(caller);
        h.put("Mcp-Session-Id", sessionId);
        h.put("MCP-Protocol-Version", sessionVersion);
        Request delete = new Request("DELETE", sessionEndpoint, h, null);
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
    }

    /** Streamable HTTP after an {@code initialize} handshake, with or without a session. */
    private final class Streamable implements Channel {
      private final String endpoint;
      private final String session;
      private final String version;

      Streamable(String endpoint, String session, String version) {
        this.endpoint = endpoint;
        this.session = session;
        this.version = version;
      }

      @Override
      public ObjectNode request(String method, ObjectNode params) throws McpFailure, OutboundFailure {
        int id = nextId++;
        Answer a = send(endpoint, headers(session, version, null), message(id, method, params), id, true);
        return answered(a, method, session != null);
      }

      void notifyInitialized() throws McpFailure, OutboundFailure {
        Answer a = send(endpoint, headers(session, version, null), notification("notifications/initialized"), -1, false);
        if (a.status() == 401 || a.status() == 403) {
          throw auth(a.status(), a.wwwAuthenticate());
        }
        // Other refusals of a notification are left to the next request to surface.
      }
    }

    /** Streamable HTTP of the 2026-07-28 revision. */
    private final class Modern implements Channel {
      private final String endpoint;

      Modern(String endpoint) {
        this.endpoint = endpoint;
      }

      @Override
      public ObjectNode request(String method, ObjectNode params) throws McpFailure, OutboundFailure {
        int id = nextId++;
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", MODERN_VERSION);
        meta.set("io.modelcontextprotocol/clientInfo", clientInfo());
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        Answer a = send(endpoint, headers(null, MODERN_VERSION, method), message(id, method, params), id, true);
        return answered(a, method, false);
      }
    }

    /** The deprecated HTTP+SSE transport: answers arrive as {@code message} events on the GET stream. */
    private final class Sse implements Channel {
      private final String endpoint;
      private final SseEvents events;

      Sse(String endpoint, SseEvents events) {
        this.endpoint = endpoint;
        this.events = events;
      }

      private Map<String, String> postHeaders() {
        return headers(null, null, null);
      }

      @Override
      public ObjectNode request(String method, ObjectNode params) throws McpFailure, OutboundFailure {
        int id = nextId++;
        Answer a = send(endpoint, postHeaders(), message(id, method, params), id, false);
        if (!a.ok()) {
          return answered(a, method, false);
        }
        JsonNode response = a.response();
        if (response == null) {
          response = awaitResponse(events, id, method, reply -> send(endpoint, postHeaders(), reply, -1, false));
        }
        if (response == null) {
          throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the event stream ended without the answer to " + method);
        }
        return result(response, method);
      }

      void notifyInitialized() throws McpFailure, OutboundFailure {
        Answer a = send(endpoint, postHeaders(), notification("notifications/initialized"), -1, false);
        if (a.status() == 401 || a.status() == 403) {
          throw auth(a.status(), a.wwwAuthenticate());
        }
      }
    }

    /** The result of a request answered over Streamable HTTP, or the failure the answer means. */
    private ObjectNode answered(Answer a, String method, boolean hasSession) throws McpFailure {
      if (a.status() == 401 || a.status() == 403) {
        throw auth(a.status(), a.wwwAuthenticate());
      }
      if (a.status() == 404 && hasSession) {
        throw new McpFailure(Reason.SERVER_ERROR, "the server ended the MCP session (HTTP 404 to " + method + ")");
      }
      if (!a.ok()) {
        throw httpError(a.status(), method, parseQuietly(a.body()));
      }
      if (a.response() == null) {
        throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: HTTP " + a.status() + " without an answer to " + method);
      }
      return result(a.response(), method);
    }

    private McpFailure httpError(int status, String method, JsonNode body) {
      String detail = "";
      if (body != null && body.get("error") instanceof ObjectNode error && error.get("message") != null) {
        detail = ": " + clean(error.get("message").asText());
      }
      Reason reason = status == 404 || status == 405 || status == 406 || status == 415 ? Reason.NOT_MCP : Reason.SERVER_ERROR;
      String prefix = reason == Reason.NOT_MCP ? "not an MCP endpoint: " : "";
      return new McpFailure(new Failed(reason, prefix + "the server answered HTTP " + status + " to " + method + detail, status, null));
    }
  }

  /**
   * Reads events until the JSON-RPC response to {@code id}; answers server requests (ping, or an
   * error for anything a probe does not offer). Null when the stream ends first.
   */
  private static JsonNode awaitResponse(SseEvents events, int id, String method, Replier replier)
      throws McpFailure, OutboundFailure {
    SseEvents.Event event;
    while ((event = events.next()) != null) {
      if (!event.type().equals("message") || event.data().isBlank()) {
        continue;
      }
      JsonNode msg = parse(event.data().getBytes(StandardCharsets.UTF_8), method);
      for (JsonNode m : msg.isArray() ? msg : List.of(msg)) {
        if (m.has("method") && m.has("id")) {
          replier.reply(replyTo(m));
        } else if (!m.has("method") && sameId(m.get("id"), id)) {
          return m;
        }
      }
    }
    return null;
  }

  @FunctionalInterface
  private interface Replier {
    void reply(ObjectNode response) throws McpFailure, OutboundFailure;
  }

  private static ObjectNode replyTo(JsonNode request) {
    ObjectNode reply = NODES.objectNode();
    reply.put("jsonrpc", "2.0");
    reply.set("id", request.get("id"));
    if ("ping".equals(request.get("method").asText())) {
      reply.putObject("result");
    } else {
      ObjectNode error = reply.putObject("error");
      error.put("code", -32601);
      error.put("message", "Method not found");
    }
    return reply;
  }

  private static ObjectNode message(int id, String method, ObjectNode params) {
    ObjectNode msg = NODES.objectNode();
    msg.put("jsonrpc", "2.0");
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", params);
    return msg;
  }

  private static ObjectNode notification(String method) {
    ObjectNode msg = NODES.objectNode();
    msg.put("jsonrpc", "2.0");
    msg.put("method", method);
    return msg;
  }

  /** The response to {@code id} in a JSON body (a single message or a batch). */
  private static JsonNode pick(JsonNode body, int id, String method) throws McpFailure {
    JsonNode response = responseIn(body, id);
    if (response == null) {
      throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not a JSON-RPC response to it");
    }
    return response;
  }

  private static JsonNode responseIn(JsonNode body, int id) {
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

  private static ObjectNode result(JsonNode response, String method) throws McpFailure {
    JsonNode error = response.get("error");
    if (error != null && !error.isNull()) {
      String message = clean(error.path("message").asText("no message"));
      throw new McpFailure(Reason.SERVER_ERROR, "the server answered " + method + " with an error: " + message + " (" + error.path("code").asText("?") + ")");
    }
    if (!(response.get("result") instanceof ObjectNode result)) {
      throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " has no result object");
    }
    return result;
  }

  /** Errors only a 2026-07-28 server sends, which mean "speak the modern revision". */
  private static boolean isModernError(JsonNode error, int status) {
    int code = error.path("code").asInt(0);
    return code == -32020
        || code == -32021
        || code == -32022
        || (code == -32601 && status == 404)
        || error.path("data").path("supported").isArray();
  }

  private static boolean sameId(JsonNode id, int expected) {
    if (id == null) {
      return false;
    }
    return (id.isIntegralNumber() && id.asLong() == expected) || (id.isTextual() && id.asText().equals(Integer.toString(expected)));
  }

  private static JsonNode parse(byte[] body, String method) throws McpFailure {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || node.isMissingNode() || !(node.isObject() || node.isArray())) {
        throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new McpFailure(Reason.PROTOCOL, "bad JSON-RPC: the answer to " + method + " is not valid JSON");
    }
  }

  private static JsonNode parseQuietly(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean isJson(String contentType) {
    return contentType.startsWith("application/json") || contentType.matches("^application/[a-z0-9.+-]*\\+json.*");
  }

  private static String text(JsonNode node, String fallback) {
    return node != null && node.isTextual() ? node.asText() : fallback;
  }

  private static String describe(String contentType) {
    if (contentType.isEmpty()) {
      return "no content type";
    }
    int semi = contentType.indexOf(';');
    return clean(semi < 0 ? contentType : contentType.substring(0, semi).trim());
  }

  private static String describeType(String contentType) {
    return contentType == null || contentType.isEmpty() ? "" : " (" + describe(contentType) + ")";
  }

  private static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT) + ":" + port;
  }

  /** Server text made fit for a message: printable, short. */
  static String clean(String s) {
    String printable = s.replaceAll("[\\p{Cntrl}]", " ").strip();
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }
}
