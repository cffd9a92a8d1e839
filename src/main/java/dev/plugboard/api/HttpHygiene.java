package dev.plugboard.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Router-level rules that hold for every response, JAX-RS or not: an {@code X-Request-Id} (the
 * caller's when it is sane), a JSON 413 for oversized bodies (announced or chunked), and a JSON 404
 * for unknown routes.
 */
@ApplicationScoped
public class HttpHygiene {

  public static final String REQUEST_ID = "X-Request-Id";
  public static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final BodyHandler BODY = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  void install(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).handler(this::first);
    router.route().order(Integer.MAX_VALUE).handler(HttpHygiene::unknownRoute);
    router.route().order(Integer.MIN_VALUE).failureHandler(HttpHygiene::failed);
  }

  /** A chunked body that grew past the cap; Quarkus would otherwise answer with an empty body. */
  private static void failed(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      ctx.response().putHeader("Connection", "close");
      json(ctx, 413, "payload_too_large", "request body over 1 MiB");
    } else {
      ctx.next();
    }
  }

  private void first(RoutingContext ctx) {
    String given = ctx.request().getHeader(REQUEST_ID);
    String id = given != null && SANE_ID.matcher(given).matches() ? given : newRequestId();
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(REQUEST_ID, id);
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long announced = length == null ? -1 : announced(length);
    if (announced > MAX_BODY_BYTES) {
      ctx.response().putHeader("Connection", "close");
      json(ctx, 413, "payload_too_large", "request body over 1 MiB");
      return;
    }
    if (length == null && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true)) {
      // No announced length: read the body here, capped, so that an oversized one fails this route
      // (and gets the JSON 413 below) instead of being cut off empty-handed inside JAX-RS.
      BODY.handle(ctx);
      return;
    }
    if (announced > 0 && ctx.request().version() != HttpVersion.HTTP_2 && isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      // A JSON body (at most 1 MiB, checked above) is read here, on the event loop, as it arrives:
      // Quarkus REST then hands the worker thread the bytes in memory, instead of the worker waiting
      // for the event loop to deliver them (a hand-off each way on every gateway message). Not an
      // empty body: Quarkus REST would take "no body buffered" for "not read yet" and wait for one.
      // Not HTTP/2 either: Quarkus REST pauses the request, which an HTTP/2 stream already read refuses.
      BODY.handle(ctx);
      return;
    }
    ctx.next();
  }

  /**
   * A random (version 4) UUID from a per-thread generator: request ids need to be unique, not
   * unguessable, and {@link UUID#randomUUID()} pays for a SecureRandom on every request.
   */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L;
    long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.regionMatches(true, 0, "application/json", 0, 16);
  }

  /** The announced Content-Length; -1 when it is not a number. */
  private static long announced(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void unknownRoute(RoutingContext ctx) {
    json(ctx, 404, "not_found", "no such resource");
  }

  /** Writes the error envelope directly (for places outside JAX-RS). */
  public static void json(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(io.vertx.core.json.JsonObject.of("error", code, "message", message).encode());
  }
}
