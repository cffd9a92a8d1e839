package dev.plugboard.mcp;

import static dev.plugboard.mcp.JsonRpc.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.GuardedHttp.Deadline;
import dev.plugboard.net.GuardedHttp.Inflight;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Stream;
import dev.plugboard.net.OutboundFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One use of one MCP server: its URL, the caller's headers, the deadline, request ids, and whatever
 * must be closed at the end. The transports send through it; it reads answers (JSON or an event
 * stream, resumed when cut short) and turns HTTP refusals into {@link McpException}s.
 */
final class Upstream implements AutoCloseable {

  private static final String ACCEPT_BOTH = "application/json, text/event-stream";
  private static final int MAX_RESUMES = 3;

  /** A POST answer: the JSON-RPC response for 2xx (null when none came), the raw body otherwise. */
  record Answer(int status, String url, String sessionId, String wwwAuthenticate, String contentType, JsonNode response, byte[] body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  final GuardedHttp http;
  final String url;
  final Map<String, String> caller;
  final Deadline deadline;
  private final String clientVersion;
  private final List<JsonNode> notifications = new ArrayList<>();
  private int nextId = 1;
  private boolean streamed;
  private int lastStatus;
  private Stream sseStream;
  /** The first POST, already sent from an event loop, whose answer this upstream reads. */
  private Inflight sent;

  Upstream(GuardedHttp http, String url, Map<String, String> caller, Deadline deadline, String clientVersion) {
    this.http = http;
    this.url = url;
    this.caller = caller;
    this.deadline = deadline;
    this.clientVersion = clientVersion;
  }

  /** Makes {@code first} the answer to this upstream's first POST, which it must be (see {@link McpClient#firstRequest}). */
  void alreadySent(Inflight first) {
    sent = first;
  }

  /** POSTs {@code msg}, unless it is the one already sent. */
  private Stream post(String target, Map<String, String> h, ObjectNode msg) throws OutboundFailure {
    Request request = Request.post(target, h, msg.toString());
    Inflight first = sent;
    sent = null;
    return first == null ? http.open(request, deadline) : http.open(request, deadline, first);
  }

  JsonNode nextId() {
    return IntNode.valueOf(nextId++);
  }

  /** Notifications the server sent while answering, in order (progress, log messages). */
  List<JsonNode> notifications() {
    return notifications;
  }

  /** The HTTP status of the last POST answered (0: none yet); the audit trail records it. */
  int lastStatus() {
    return lastStatus;
  }

  /** Whether an answer came as an event stream. */
  boolean streamed() {
    return streamed;
  }

  /** The legacy transport's event stream, closed with this upstream. */
  void holdStream(Stream stream) {
    sseStream = stream;
  }

  ObjectNode initializeParams(String version) {
    ObjectNode params = NODES.objectNode();
    params.put("protocolVersion", version);
    params.putObject("capabilities");
    params.set("clientInfo", clientInfo());
    return params;
  }

  ObjectNode clientInfo() {
    ObjectNode info = NODES.objectNode();
    info.put("name", "plugboard");
    info.put("version", clientVersion);
    return info;
  }

  /** Caller headers plus the protocol's own. */
  Map<String, String> headers(String session, String version, String method) {
    return headers(caller, session, version, method);
  }

  static Map<String, String> headers(Map<String, String> caller, String session, String version, String method) {
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
   * {@code id} is null for notifications and responses.
   */
  Answer send(String target, Map<String, String> h, ObjectNode msg, JsonNode id, boolean requireAnswer)
      throws McpException, OutboundFailure {
    try (Stream s = post(target, h, msg)) {
      return read(s, target, h, msg, id, requireAnswer);
    }
  }

  /** A request's answer as far as its headers: a whole answer, or a 2xx event stream left open for {@link #drain}. */
  record Opening(Answer answer, Live live) {}

  /** An event stream answering request {@code id}, still open, with what resuming it takes. */
  record Live(Stream stream, SseEvents events, String target, Map<String, String> h, JsonNode id, String method) {}

  /** As {@link #send} for a request, but an event-stream answer is handed back open, read later by {@link #drain}. */
  Opening open(String target, Map<String, String> h, ObjectNode msg, JsonNode id) throws McpException, OutboundFailure {
    Stream s = post(target, h, msg);
    int status = s.status();
    if (status >= 200 && status < 300 && status != 202 && status != 204 && s.contentType().startsWith("text/event-stream")) {
      lastStatus = status;
      streamed = true;
      String method = msg.path("method").asText();
      SseEvents events = new SseEvents(s);
      JsonNode only = firstIsTheResponse(events, id, method);
      if (only != null) { // the usual answer: one event, the response; it leaves whole, with no live stream to keep
        try (s) {
          return new Opening(new Answer(status, s.url(), s.header("mcp-session-id"), s.header("www-authenticate"), s.contentType(), only, null), null);
        }
      }
      return new Opening(null, new Live(s, events, target, h, id, method));
    }
    try (s) {
      return new Opening(read(s, target, h, msg, id, true), null);
    }
  }

  /**
   * Reads the stream's first event with data: the response to {@code id} when that is what it is;
   * otherwise null, with the event put back for {@link #drain}.
   */
  private static JsonNode firstIsTheResponse(SseEvents events, JsonNode id, String method) throws McpException, OutboundFailure {
    SseEvents.Event first = firstMessage(events);
    if (first == null) {
      return null;
    }
    events.pushBack(first);
    JsonNode msg = JsonRpc.parse(first.data().getBytes(StandardCharsets.UTF_8), method);
    return isResponseTo(msg, id) ? msg : null;
  }

  /** The next message event with data (other events skipped), or null at the end. */
  static SseEvents.Event firstMessage(SseEvents events) throws OutboundFailure {
    SseEvents.Event first;
    do {
      first = events.next();
    } while (first != null && (!first.type().equals("message") || first.data().isBlank()));
    return first;
  }

  /** Whether {@code msg} is the JSON-RPC response to request {@code id}. */
  static boolean isResponseTo(JsonNode msg, JsonNode id) {
    return msg != null && msg.isObject() && !msg.has("method") && JsonRpc.sameId(msg.get("id"), id);
  }

  /** Reads an open event stream until the response, handing everything else to {@code relay} as it comes. */
  JsonNode drain(Live live, Relay relay) throws McpException, OutboundFailure {
    try (Stream s = live.stream()) {
      return fromStream(live.events(), live.id(), live.method(), live.target(), live.h(), relay);
    }
  }

  private Answer read(Stream s, String target, Map<String, String> h, ObjectNode msg, JsonNode id, boolean requireAnswer)
      throws McpException, OutboundFailure {
    int status = s.status();
    lastStatus = status;
    String session = s.header("mcp-session-id");
    String challenge = s.header("www-authenticate");
    String type = s.contentType();
    if (status < 200 || status >= 300) {
      return new Answer(status, s.url(), session, challenge, type, null, s.readAll());
    }
    if (id == null || status == 202 || status == 204) {
      return new Answer(status, s.url(), session, challenge, type, null, null);
    }
    String method = msg.path("method").asText();
    JsonNode response;
    if (JsonRpc.isJson(type)) {
      byte[] body = s.readAll();
      // On the HTTP+SSE transport answers come on the event stream; a POST body is a bonus.
      response = requireAnswer ? JsonRpc.pick(JsonRpc.parse(body, method), id, method) : JsonRpc.responseIn(JsonRpc.parseQuietly(body), id);
    } else if (type.startsWith("text/event-stream")) {
      streamed = true;
      response = fromStream(new SseEvents(s), id, method, target, h, buffered);
    } else if (requireAnswer) {
      throw new McpException(Reason.NOT_MCP, "not an MCP endpoint: got " + describe(type));
    } else {
      response = null;
    }
    return new Answer(status, s.url(), session, challenge, type, response, null);
  }

  /** Reads events until the response to {@code id}, resuming a stream the server closed early. */
  private JsonNode fromStream(SseEvents events, JsonNode id, String method, String target, Map<String, String> h, Relay relay)
      throws McpException, OutboundFailure {
    Stream resumed = null;
    try {
      for (int resumes = 0; ; resumes++) {
        JsonNode response = awaitResponse(events, id, method, reply -> send(target, h, reply, null, false), relay);
        if (response != null) {
          return response;
        }
        String lastId = events.lastEventId();
        if (lastId == null || resumes >= MAX_RESUMES) {
          throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: the event stream ended without the answer to " + method);
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
          throw new McpException(Reason.PROTOCOL, "the event stream ended early and could not be resumed (HTTP " + resumed.status() + ")");
        }
        events = new SseEvents(resumed);
      }
    } finally {
      if (resumed != null) {
        resumed.close();
      }
    }
  }

  @FunctionalInterface
  interface Replier {
    void reply(ObjectNode response) throws McpException, OutboundFailure;
  }

  /** Keeps notifications for the {@link McpClient.Exchange}; Plugboard answers server requests itself. */
  private final Relay buffered =
      new Relay() {
        @Override
        public void notification(JsonNode notification) {
          notifications.add(notification);
        }

        @Override
        public boolean request(JsonNode request) {
          return false;
        }
      };

  /** As {@link #awaitResponse(SseEvents, JsonNode, String, Replier, Relay)}, keeping notifications and answering every server request here. */
  JsonNode awaitResponse(SseEvents events, JsonNode id, String method, Replier replier) throws McpException, OutboundFailure {
    return awaitResponse(events, id, method, replier, buffered);
  }

  /**
   * Reads events until the JSON-RPC response to {@code id}, handing notifications and server requests
   * to {@code relay} as they come; answers a ping itself, and a request the relay did not take with
   * "method not found". Null when the stream ends first.
   */
  JsonNode awaitResponse(SseEvents events, JsonNode id, String method, Replier replier, Relay relay) throws McpException, OutboundFailure {
    SseEvents.Event event;
    while ((event = events.next()) != null) {
      if (!event.type().equals("message") || event.data().isBlank()) {
        continue;
      }
      JsonNode msg = JsonRpc.parse(event.data().getBytes(StandardCharsets.UTF_8), method);
      for (JsonNode m : msg.isArray() ? msg : List.of(msg)) {
        if (JsonRpc.isRequest(m)) {
          if ("ping".equals(m.get("method").asText()) || !relay.request(m)) {
            replier.reply(JsonRpc.replyTo(m));
          }
        } else if (m.has("method")) {
          relay.notification(m);
        } else if (JsonRpc.sameId(m.get("id"), id)) {
          return m;
        }
      }
    }
    return null;
  }

  /** The response to a request answered over Streamable HTTP, or the failure the answer means. */
  JsonNode answered(Answer a, String method, boolean hasSession) throws McpException {
    if (a.status() == 401 || a.status() == 403) {
      throw auth(a.status(), a.wwwAuthenticate());
    }
    if (a.status() == 404 && hasSession) {
      throw new McpException(new Failed(Reason.SESSION_ENDED, "the server ended the MCP session (HTTP 404 to " + method + ")", 404, null));
    }
    if (!a.ok()) {
      throw httpError(a.status(), method, JsonRpc.parseQuietly(a.body()));
    }
    if (a.response() == null) {
      throw new McpException(Reason.PROTOCOL, "bad JSON-RPC: HTTP " + a.status() + " without an answer to " + method);
    }
    return a.response();
  }

  McpException httpError(int status, String method, JsonNode body) {
    String detail = "";
    if (body != null && body.get("error") instanceof ObjectNode error && error.get("message") != null) {
      detail = ": " + JsonRpc.clean(error.get("message").asText());
    }
    Reason reason = status == 404 || status == 405 || status == 406 || status == 415 ? Reason.NOT_MCP : Reason.SERVER_ERROR;
    String prefix = reason == Reason.NOT_MCP ? "not an MCP endpoint: " : "";
    return new McpException(new Failed(reason, prefix + "the server answered HTTP " + status + " to " + method + detail, status, null));
  }

  McpException auth(int status, String challenge) {
    boolean sentCredentials = caller.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"));
    String message =
        status == 401
            ? (sentCredentials ? "server refused the credentials (401)" : "server requires authentication (401)")
            : "server refused access with these credentials (403)";
    return new McpException(new Failed(status == 401 ? Reason.UNAUTHORIZED : Reason.FORBIDDEN, message, status, challenge));
  }

  /**
   * A server may echo what it was sent; the caller's header values and the URL's query (which may
   * carry a key) never appear in a message.
   */
  Failed redacted(Failed f) {
    String out = f.message();
    for (String value : caller.values()) {
      if (value.length() >= 4) {
        out = out.replace(value, "[redacted]");
      }
    }
    int query = url.indexOf('?');
    if (query >= 0 && query + 1 < url.length()) {
      out = out.replace(url.substring(query + 1), "[redacted]");
    }
    return new Failed(f.reason(), out, f.httpStatus(), f.wwwAuthenticate());
  }

  static String describe(String contentType) {
    if (contentType.isEmpty()) {
      return "no content type";
    }
    int semi = contentType.indexOf(';');
    return JsonRpc.clean(semi < 0 ? contentType : contentType.substring(0, semi).trim());
  }

  static String describeType(String contentType) {
    return contentType == null || contentType.isEmpty() ? "" : " (" + describe(contentType) + ")";
  }

  @Override
  public void close() {
    if (sent != null) { // failed before its first POST: the answer already coming is not wanted
      sent.close();
    }
    if (sseStream != null) {
      sseStream.close();
    }
  }
}
