package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiGate;
import dev.plugboard.api.Idempotency;
import dev.plugboard.api.Ids;
import dev.plugboard.api.RateLimiter;
import dev.plugboard.api.ServiceTokens;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionService.Usable;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.connection.ConnectionViews.ResolvedView;
import dev.plugboard.gateway.GatewaySessions.Session;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.McpClient;
import dev.plugboard.mcp.McpClient.Exchange;
import dev.plugboard.mcp.McpClient.OnLoop;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.GuardedHttp.Inflight;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.CallerLookup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * The commonest gateway messages, a {@code tools/call} and the other requests in an open Streamable
 * HTTP session, served on the event loop from end to end: key, connection, session and token from
 * this replica's caches, the request sent upstream without a worker thread, its answer read as it
 * arrives, and only a tools/call's activity row written by a worker, committed before the answer
 * leaves (the audit promise). On this path a call makes two thread hand-offs instead of the worker
 * path's four, each of them system calls (docs/performance.md), and a request that records nothing
 * (tools/list, ping, ...) none.
 *
 * <p>Whatever the event loop cannot finish without waiting goes the worker path ({@link
 * GatewayResource}), which decides everything again: before anything is sent the request simply
 * passes on; once it is sent, the answer so far is handed over unread ({@link Inflight}), so a call
 * is never sent twice. Served here: a 2xx JSON answer, or an event stream whose first message is
 * the response. Handed over: everything else (refusals, ended sessions, progress notifications,
 * server requests, failures, timeouts).
 */
@ApplicationScoped
class LoopCalls {

  /** The RoutingContext key of a request sent from the event loop and handed to the worker path. */
  static final String SENT = "plugboard.gateway.sent";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CallerLookup callers;
  private final RateLimiter limiter;
  private final ConnectionService connections;
  private final GatewaySessions sessions;
  private final McpClient client;
  private final GuardedHttp http;
  private final GatewayService gateway;
  private final Counter answered;
  private final Counter handedOver;

  LoopCalls(
      CallerLookup callers,
      RateLimiter limiter,
      ConnectionService connections,
      GatewaySessions sessions,
      McpClient client,
      GuardedHttp http,
      GatewayService gateway,
      MeterRegistry registry) {
    this.callers = callers;
    this.limiter = limiter;
    this.connections = connections;
    this.sessions = sessions;
    this.client = client;
    this.http = http;
    this.gateway = gateway;
    String name = "plugboard.gateway.loop.calls";
    String description = "requests sent upstream from the event loop: answered there, or handed to a worker";
    answered = Counter.builder(name).description(description).tag("outcome", "answered").register(registry);
    handedOver = Counter.builder(name).description(description).tag("outcome", "handed_over").register(registry);
  }

  void install(@Observes Router router) {
    // After the body is read (HttpHygiene), before Quarkus REST.
    router.post(GatewayResource.PATH.replace("{connection_id}", ":connection_id")).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    // The HTTP metrics' uri tag, as Quarkus REST sets it for its own routes: the template, not each connection's id.
    ((HttpServerRequestInternal) ctx.request()).context().putLocal("UrlPathTemplate", GatewayResource.PATH);
    Call call = prepareOrNull(ctx);
    if (call == null) {
      ctx.next();
      return;
    }
    RateLimiter.Decision decision = limiter.tryTake(call.caller.apiKeyId());
    if (decision != null) {
      call.admitted(decision);
    } else { // this replica's tokens of the key ran dry: claiming more is a statement, made by a worker
      call.context
          .executeBlocking(() -> limiter.take(call.caller.apiKeyId()), false)
          .onComplete(
              claimed -> {
                if (claimed.succeeded()) {
                  call.admitted(claimed.result());
                } else {
                  ctx.next(); // the worker path meets the same failure and answers it
                }
              });
    }
  }

  private Call prepareOrNull(RoutingContext ctx) {
    try {
      return prepare(ctx);
    } catch (RuntimeException e) { // e.g. a secret that no longer decrypts: the worker path reports it as always
      return null;
    }
  }

  /** The call, when everything it needs but a rate-limit token is in memory; null otherwise. */
  private Call prepare(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (ctx.body() == null || ctx.body().length() <= 0 || req.getHeader("Origin") != null || req.getHeader(Idempotency.HEADER) != null) {
      return null; // no body read on the event loop; a browser's Origin and idempotency are the worker path's
    }
    if (!GatewayResource.acceptsBoth(req.getHeader(HttpHeaders.ACCEPT))) {
      return null;
    }
    String sessionId = req.getHeader(GatewayResource.SESSION);
    String version = req.getHeader(GatewayResource.VERSION);
    String connection = ctx.pathParam("connection_id");
    String key = ServiceTokens.bearer(req.getHeader(HttpHeaders.AUTHORIZATION));
    if (sessionId == null || (version != null && !McpClient.HANDSHAKE_VERSIONS.contains(version)) || !Ids.isUuid(connection) || key == null) {
      return null;
    }
    ObjectNode message = request(ctx.body().buffer());
    Caller caller = message == null ? null : callers.cached(key).orElse(null);
    if (caller == null) {
      return null;
    }
    UUID connectionId = UUID.fromString(connection);
    Usable target = connections.cachedUsable(caller, connectionId).orElse(null);
    boolean call = "tools/call".equals(message.get("method").asText());
    String tool = call ? GatewayService.toolName(message) : null;
    if (target == null || PersonNeeded.byView(target.view()) || (call && (tool == null || !target.view().toolAllowed(tool)))) {
      return null;
    }
    Session session = sessions.usedLately(sessionId, caller.apiKeyId(), connectionId).orElse(null);
    ResolvedView resolved = session == null || session.upstream() == null ? null : target.resolvedNow().orElse(null);
    Request request = resolved == null ? null : client.firstRequest(resolved.serverUrl(), resolved.headers(), session.upstream(), message);
    return request == null ? null : new Call(ctx, Vertx.currentContext(), caller, target.view(), tool, message, request);
  }

  /** The body as a 2025-era JSON-RPC request other than initialize; else null. */
  private static ObjectNode request(Buffer body) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(body.getBytes());
    } catch (IOException e) {
      return null;
    }
    if (!(parsed instanceof ObjectNode message)
        || !"2.0".equals(message.path("jsonrpc").asText())
        || !JsonRpc.isRequest(message)
        || "initialize".equals(message.path("method").asText())
        || message.path("params").path("_meta").has(ModernAgents.META_VERSION)) {
      return null;
    }
    return message;
  }

  /** One call sent from the event loop; everything after {@link #send} runs on the request's context. */
  private final class Call {
    private final RoutingContext ctx;
    private final Context context;
    private final Caller caller;
    private final ConnectionView connection;
    private final String tool;
    private final ObjectNode message;
    private final Request request;
    private final long begun = System.nanoTime();
    private RateLimiter.Decision decision;
    private Inflight sent;
    private long timer = -1;
    private boolean decided;

    Call(RoutingContext ctx, Context context, Caller caller, ConnectionView connection, String tool, ObjectNode message, Request request) {
      this.ctx = ctx;
      this.context = context;
      this.caller = caller;
      this.connection = connection;
      this.tool = tool;
      this.message = message;
      this.request = request;
    }

    /**
     * Sends the call once the key has its token; a refusal (429) and a URL not vetted lately go the
     * worker path, which takes no second token.
     */
    void admitted(RateLimiter.Decision decision) {
      this.decision = decision;
      ctx.put(ApiGate.ADMITTED, decision);
      if (!decision.allowed() || !send()) {
        ctx.next();
      }
    }

    /** Sends the request; false when it cannot leave from here (its URL not vetted lately). */
    private boolean send() {
      GuardedHttp.Deadline deadline = gateway.deadline();
      sent = http.startOnLoop(request, deadline, this::onEvent);
      if (sent == null) {
        return false;
      }
      // At the deadline the worker path takes over and answers the timeout as it would its own.
      timer = context.owner().setTimer(Math.max(1, deadline.remainingMillis()), t -> handOver());
      onEvent(); // a part that came before sent was set
      return true;
    }

    private void onEvent() {
      if (Vertx.currentContext() == context) {
        check();
      } else {
        context.runOnContext(v -> check());
      }
    }

    private void check() {
      if (decided || sent == null) {
        return;
      }
      OnLoop so;
      try {
        so = client.answeredOnLoop(sent, message);
      } catch (RuntimeException e) { // the worker path reads the same answer and says what is wrong with it
        so = OnLoop.HAND_OVER;
      }
      if (so.handOver()) {
        handOver();
      } else if (so.exchange() != null) {
        decide();
        sent.close();
        answered.increment();
        Exchange exchange = so.exchange();
        if (tool == null) { // a request that records nothing: tools/list shows the allowed tools only
          boolean list = "tools/list".equals(message.get("method").asText());
          reply(list ? GatewayService.allowedOnly(connection, exchange) : exchange);
        } else {
          gateway.recordCallThen(caller, connection.id(), tool, begun, exchange.response(), exchange.httpStatus(), () -> context.runOnContext(v -> reply(exchange)));
        }
      }
    }

    private void decide() {
      decided = true;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
    }

    private void handOver() {
      if (decided) {
        return;
      }
      decide();
      handedOver.increment();
      ctx.put(SENT, sent);
      ctx.next();
    }

    /** The answer as the worker path writes it (GatewayResource.serve, GatewayService.live). */
    private void reply(Exchange exchange) {
      HttpServerResponse response = ctx.response();
      if (response.ended() || response.closed()) {
        return;
      }
      response.setStatusCode(200);
      ApiGate.rateHeaders(decision, response::putHeader);
      if (exchange.streamed()) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, GatewayResource.EVENT_STREAM).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.end(Buffer.buffer(GatewayService.sse(List.of(exchange.response()))));
      } else {
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        response.end(exchange.response().toString());
      }
    }
  }
}
