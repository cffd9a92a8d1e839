package dev.plugboard.hardening;

import java.util.List;

/**
 * Every {@code /v1} and {@code /internal} endpoint, once. The authorization matrix and the fuzz
 * test iterate over this table, and {@link AuthorizationMatrixTest} fails when the OpenAPI document
 * lists an endpoint that is missing here, so a new endpoint cannot be forgotten.
 */
final class Endpoints {

  private Endpoints() {}

  /** What kind of request an endpoint takes. */
  enum Body { NONE, CREATE, PATCH }

  /** {@code {id}} in the path is a connection id. */
  record Endpoint(String method, String path, Body body) {
    String key() {
      return method + " " + path;
    }

    boolean internal() {
      return path.startsWith("/internal/");
    }

    boolean onConnection() {
      return path.contains("{id}");
    }
  }

  static final Endpoint LIST = new Endpoint("GET", "/v1/connections", Body.NONE);
  static final Endpoint CREATE = new Endpoint("POST", "/v1/connections", Body.CREATE);
  static final Endpoint GET = new Endpoint("GET", "/v1/connections/{id}", Body.NONE);
  static final Endpoint PATCH = new Endpoint("PATCH", "/v1/connections/{id}", Body.PATCH);
  static final Endpoint DELETE = new Endpoint("DELETE", "/v1/connections/{id}", Body.NONE);
  static final Endpoint CREDENTIALS = new Endpoint("GET", "/v1/connections/{id}/credentials", Body.NONE);
  static final Endpoint RESOLVE = new Endpoint("POST", "/internal/v1/connections/{id}/resolve", Body.NONE);

  static final List<Endpoint> ALL = List.of(LIST, CREATE, GET, PATCH, DELETE, CREDENTIALS, RESOLVE);

  /** Browser or otherwise unauthenticated endpoints, covered by their own tests, not by the matrix. */
  static final List<String> PUBLIC = List.of("GET /v1/connections/oauth/callback");
}
