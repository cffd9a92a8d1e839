package dev.plugboard.hardening;

import java.util.List;

/**
 * Every {@code /v1} and {@code /internal} endpoint, once. The authorization matrix and the fuzz
 * test iterate over this table, and {@link AuthorizationMatrixTest} fails when the OpenAPI document
 * lists an endpoint that is missing here, so a new endpoint cannot be forgotten.
 */
final class Endpoints {

  private Endpoints() {}

  /** What kind of request an endpoint takes; EMPTY_OBJECT: {@code {}} (a missing body is 400 everywhere). */
  enum Body { NONE, EMPTY_OBJECT, CREATE, PATCH }

  /** {@code {id}} in the path is a connection id (a connect link's id under /v1/connect/links). */
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
  static final Endpoint ACTIVITY = new Endpoint("GET", "/v1/connections/{id}/activity", Body.NONE);
  static final Endpoint RESOLVE = new Endpoint("POST", "/internal/v1/connections/{id}/resolve", Body.NONE);

  static final Endpoint MCP_PROBE = new Endpoint("POST", "/v1/connections/mcp/probe", Body.EMPTY_OBJECT);
  static final Endpoint OAUTH_MCP_CHECK = new Endpoint("POST", "/v1/connections/oauth/mcp/check", Body.EMPTY_OBJECT);
  static final Endpoint OAUTH_MCP_START = new Endpoint("POST", "/v1/connections/oauth/mcp/start", Body.EMPTY_OBJECT);
  // {id} stands for the provider slug here: a connection id is no configured provider (404).
  static final Endpoint OAUTH_NATIVE_START = new Endpoint("POST", "/v1/connections/oauth/native/{id}/start", Body.EMPTY_OBJECT);
  static final Endpoint COMPOSIO_START = new Endpoint("POST", "/v1/connections/composio/start", Body.EMPTY_OBJECT);
  static final Endpoint COMPOSIO_FINALIZE = new Endpoint("POST", "/v1/connections/composio/finalize", Body.EMPTY_OBJECT);

  static final Endpoint LINKS_LIST = new Endpoint("GET", "/v1/connect/links", Body.NONE);
  // {} names no target: 400 for every caller with a key.
  static final Endpoint LINKS_CREATE = new Endpoint("POST", "/v1/connect/links", Body.EMPTY_OBJECT);
  static final Endpoint LINK_GET = new Endpoint("GET", "/v1/connect/links/{id}", Body.NONE);
  static final Endpoint LINK_CANCEL = new Endpoint("DELETE", "/v1/connect/links/{id}", Body.NONE);
  // {} carries no flow code: 400 before the link is looked at.
  static final Endpoint LINK_CONFIRM = new Endpoint("POST", "/v1/connect/links/{id}/confirm", Body.EMPTY_OBJECT);

  static final List<Endpoint> ALL =
      List.of(
          LIST, CREATE, GET, PATCH, DELETE, CREDENTIALS, ACTIVITY, RESOLVE, MCP_PROBE, OAUTH_MCP_CHECK, OAUTH_MCP_START,
          OAUTH_NATIVE_START, COMPOSIO_START, COMPOSIO_FINALIZE, LINKS_LIST, LINKS_CREATE, LINK_GET, LINK_CANCEL, LINK_CONFIRM);

  /** Browser or otherwise unauthenticated endpoints, covered by their own tests, not by the matrix. */
  static final List<String> PUBLIC = List.of("GET /v1/connections/oauth/callback");
}
