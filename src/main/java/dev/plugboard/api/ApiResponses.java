package dev.plugboard.api;

/** Shared OpenAPI descriptions of error responses. */
public final class ApiResponses {
  private ApiResponses() {}

  public static final String ERROR = "Error envelope {error, message}";
}
