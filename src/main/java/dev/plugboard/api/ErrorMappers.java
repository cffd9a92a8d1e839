package dev.plugboard.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where exceptions become HTTP errors. Every error leaves as {@link ErrorBody}; no
 * stack trace, SQL or request content reaches the caller.
 */
public class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  public static Response error(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(code, message))
        .build();
  }

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return error(e.status(), e.code(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response notFound(NotFoundException e) {
    return error(404, "not_found", "no such resource");
  }

  @ServerExceptionMapper
  public Response notAllowed(NotAllowedException e) {
    Response r = error(405, "method_not_allowed", "method not allowed on this resource");
    String allow = e.getResponse().getHeaderString("Allow");
    return allow == null ? r : Response.fromResponse(r).header("Allow", allow).build();
  }

  @ServerExceptionMapper
  public Response unsupported(NotSupportedException e) {
    return error(415, "unsupported_media_type", "send the request body as application/json");
  }

  @ServerExceptionMapper
  public Response notAcceptable(NotAcceptableException e) {
    return error(406, "invalid_request", "this endpoint answers application/json");
  }

  // Specific Jackson types are listed so they win over Quarkus REST Jackson's own (non-envelope) mappers.
  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
    return json(e);
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
  public Response invalidFormat(com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response parse(JsonParseException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response mapping(JsonMappingException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    if (e instanceof JsonParseException p && String.valueOf(p.getOriginalMessage()).startsWith("Duplicate field")) {
      return error(400, "invalid_request", "duplicate key in JSON object");
    }
    if (e instanceof JsonParseException p && p.getLocation() != null) {
      return error(
          400,
          "invalid_request",
          "malformed JSON at line %d, column %d"
              .formatted(p.getLocation().getLineNr(), p.getLocation().getColumnNr()));
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String field =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      return error(400, "invalid_request", field + ": value has the wrong JSON type");
    }
    return error(400, "invalid_request", "the request body is not valid JSON for this endpoint");
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 100)
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof JsonProcessingException j) {
        return json(j);
      }
    }
    return switch (status) {
      case 400 -> error(400, "invalid_request", "malformed request body");
      case 401 -> error(401, "invalid_token", "missing, invalid, revoked or expired credentials");
      case 403 -> error(403, "forbidden", "not allowed");
      case 413 -> error(413, "payload_too_large", "request body over 1 MiB");
      case 415 -> error(415, "unsupported_media_type", "send the request body as application/json");
      default -> status >= 500 ? internal(e) : error(status, "invalid_request", "request refused");
    };
  }

  @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 200)
  public Response unexpected(Throwable e) {
    if (isDatabaseUnavailable(e)) {
      LOG.warnf("database unavailable: %s", e.getClass().getName());
      return error(503, "service_unavailable", "the database is unavailable; retry shortly");
    }
    String state = sqlState(e);
    if (state != null && state.startsWith("22")) {
      // Data exception: input the database cannot store (a NUL character, an out-of-range value).
      return error(400, "validation_failed", "a value in the request cannot be stored (out of range or contains a NUL character)");
    }
    if ("23505".equals(state) || "40001".equals(state) || "40P01".equals(state)) {
      return error(409, "conflict", "a concurrent change conflicted with this request; retry it");
    }
    return internal(e);
  }

  private static Response internal(Throwable e) {
    LOG.error("unexpected error", e);
    return error(500, "internal_error", "unexpected error; see the server log for this request id");
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return null;
  }

  static boolean isDatabaseUnavailable(Throwable e) {
    return isDatabaseUnavailable(e, 0);
  }

  // Causes and suppressed exceptions: a failed commit carries the connection error as suppressed.
  private static boolean isDatabaseUnavailable(Throwable e, int depth) {
    for (Throwable t = e; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof java.net.ConnectException
          || t instanceof org.hibernate.exception.JDBCConnectionException
          || (t instanceof java.sql.SQLException s && connectionState(s))) {
        return true;
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (isDatabaseUnavailable(suppressed, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * SQLSTATE class 08 (connection exception), 57P01-57P03 (server shutting down / cannot connect
   * now), or the pool's acquisition timeout (no SQLSTATE: Agroal waited its acquisition-timeout).
   */
  private static boolean connectionState(java.sql.SQLException s) {
    String state = s.getSQLState();
    if (state != null) {
      return state.startsWith("08") || state.startsWith("57P0");
    }
    String message = s.getMessage();
    return message != null && message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout");
  }
}
