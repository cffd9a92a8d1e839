package dev.plugboard.api;

/**
 * An error that reaches the caller as {@code {"error": code, "message": message}} with the given
 * HTTP status. The message must never contain a secret.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException validation(String field, String problem) {
    return new ApiException(400, "validation_failed", field + ": " + problem);
  }

  public static ApiException invalidRequest(String message) {
    return new ApiException(400, "invalid_request", message);
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }

  public static ApiException invalidToken() {
    return new ApiException(401, "invalid_token", "missing, invalid, revoked or expired credentials");
  }

  public static ApiException serviceUnavailable(String message) {
    return new ApiException(503, "service_unavailable", message);
  }

  public static ApiException upstream(String message) {
    return new ApiException(502, "upstream_error", message);
  }

  public static ApiException upstreamTimeout(String message) {
    return new ApiException(504, "upstream_timeout", message);
  }
}
