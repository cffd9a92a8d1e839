package dev.plugboard.composio;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of {@code /v1/connections/composio} (wire names are snake_case). */
public final class ComposioViews {

  private ComposioViews() {}

  @Schema(name = "ComposioStartRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StartRequest(
      @Schema(required = true, minLength = 1, description = "Composio auth config id (ac_…) of the toolkit")
          String authConfigId,
      @Schema(required = true, format = "uri", description = "absolute http(s) URL Composio sends the browser to after consent")
          String callbackUrl,
      @Schema(enumeration = {"OAUTH2", "OAUTH1", "API_KEY", "BEARER_TOKEN", "BASIC"}, description = "omitted: an OAuth flow")
          String authScheme,
      @Schema(description = "credential fields for API_KEY (api_key), BEARER_TOKEN (token) or BASIC (username, password); passed to Composio, never stored")
          Map<String, Object> authFields) {

    @Override
    public String toString() {
      return "StartRequest[" + authConfigId + ", " + authScheme + ", auth_fields redacted]";
    }
  }

  @Schema(name = "ComposioStartResult")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record StartView(
      @Schema(nullable = true, description = "where the user authorizes; null when the account is ACTIVE at once") String redirectUrl,
      @Schema(nullable = true, description = "Composio status, e.g. INITIATED, ACTIVE, FAILED") String status,
      @Schema(required = true, description = "pass to /v1/connections/composio/finalize") String connectedAccountId) {}

  @Schema(name = "ComposioFinalizeRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FinalizeRequest(
      @Schema(required = true, minLength = 1, description = "Composio toolkit slug, e.g. slack, googlesheets") String app,
      @Schema(required = true, minLength = 1, description = "name of the new connection") String integrationName,
      @Schema(required = true, minLength = 1, description = "from /v1/connections/composio/start") String connectedAccountId) {}
}
