package dev.plugboard.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLTransientConnectionException;
import java.util.Comparator;
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

  // Specific Jackson types are listed so they win over Quarkus' built-in mappers.
  @ServerExceptionMapper
  public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
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

  @ServerExceptionMapper
  public Response violations(ConstraintViolationException e) {
    String message =
        e.getConstraintViolations().stream()
            .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
            .map(ErrorMappers::describe)
            .collect(Collectors.joining("; "));
    return error(400, "validation_failed", message);
  }

  private static String describe(ConstraintViolation<?> v) {
    String path = v.getPropertyPath().toString();
    // "method.arg0.field" → "field"
    int dot = path.indexOf('.', path.indexOf('.') + 1);
    String field = dot > 0 ? path.substring(dot + 1) : path;
    return field + ": " + v.getMessage();
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
    return internal(e);
  }

  private static Response internal(Throwable e) {
    LOG.error("unexpected error", e);
    return error(500, "internal_error", "unexpected error; see the server log for this request id");
  }

  static boolean isDatabaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof java.net.ConnectException
          || (t instanceof java.sql.SQLException s
              && s.getSQLState() != null
              && s.getSQLState().startsWith("08"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
