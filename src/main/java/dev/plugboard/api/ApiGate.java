package dev.plugboard.api;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * What every authenticated {@code /v1} request passes after its API key is known: the rate limit,
 * then the Idempotency-Key claim. Called by the API-key filter; {@link GateResponseFilter} finishes
 * both on the way out (headers, stored response).
 */
@ApplicationScoped
public class ApiGate {

  static final String DECISION = "plugboard.ratelimit.decision";
  /** A RoutingContext key: the decision of a request admitted on the event loop and then passed on (the gateway's). */
  public static final String ADMITTED = "plugboard.ratelimit.admitted";
  static final String CLAIM = "plugboard.idempotency.claim";
  static final String REPLAYED_HEADER = "Idempotent-Replayed";
  private static final Set<String> WRITES = Set.of("POST", "PATCH", "DELETE", "PUT");

  @Inject RateLimiter limiter;
  @Inject Idempotency idempotency;
  @Inject RoutingContext routing;

  public void admit(ContainerRequestContext request, UUID apiKeyId) {
    // A request admitted on the event loop has spent its token there.
    RateLimiter.Decision decision = routing.get(ADMITTED) instanceof RateLimiter.Decision d ? d : limiter.take(apiKeyId);
    request.setProperty(DECISION, decision);
    if (!decision.allowed()) {
      throw new ApiException(
          429,
          "rate_limited",
          "rate limit of " + decision.limit() + " requests per minute exceeded; retry after "
              + decision.retryAfterSeconds() + " s");
    }
    if (!WRITES.contains(request.getMethod())) {
      return;
    }
    List<String> keys = request.getHeaders().get(Idempotency.HEADER);
    if (keys == null || keys.isEmpty()) {
      return;
    }
    if (keys.size() > 1) {
      throw ApiException.validation(Idempotency.HEADER, "must be given at most once");
    }
    String key = Idempotency.checkKey(keys.get(0));
    byte[] body = readBody(request);
    Idempotency.Outcome outcome =
        idempotency.begin(apiKeyId, key, request.getMethod(), request.getUriInfo().getPath(), body);
    if (outcome instanceof Idempotency.Proceed claim) {
      request.setProperty(CLAIM, claim);
      return;
    }
    Idempotency.Replay replay = (Idempotency.Replay) outcome;
    Response.ResponseBuilder r = Response.status(replay.status()).header(REPLAYED_HEADER, "true");
    if (replay.body() != null) {
      r.type(replay.contentType()).entity(replay.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    request.abortWith(r.build());
  }

  /** The rate-limit headers of an admitted caller's response, errors included. */
  public static void rateHeaders(RateLimiter.Decision d, BiConsumer<String, String> header) {
    header.accept("X-RateLimit-Limit", String.valueOf(d.limit()));
    header.accept("X-RateLimit-Remaining", String.valueOf(d.remaining()));
    header.accept("X-RateLimit-Reset", String.valueOf(d.reset()));
    if (!d.allowed()) {
      header.accept("Retry-After", String.valueOf(d.retryAfterSeconds()));
    }
  }

  /** Reads the (already size-capped) body and puts it back for the resource method. */
  private static byte[] readBody(ContainerRequestContext request) {
    InputStream in = request.getEntityStream();
    if (in == null) {
      return new byte[0];
    }
    try {
      byte[] body = in.readAllBytes();
      request.setEntityStream(new ByteArrayInputStream(body));
      return body;
    } catch (IOException e) {
      throw ApiException.invalidRequest("the request body could not be read");
    }
  }
}
