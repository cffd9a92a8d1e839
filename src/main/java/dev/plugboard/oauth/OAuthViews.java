package dev.plugboard.oauth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of the OAuth endpoints (wire names are snake_case). */
public final class OAuthViews {

  private OAuthViews() {}

  @Schema(name = "McpOAuthCheckRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CheckRequest(@Schema(required = true, format = "uri") String mcpServerUrl) {}

  @Schema(name = "McpOAuthCheck")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CheckView(
      @Schema(description = "true when Plugboard can connect without a client from you (DCR or client metadata document)")
          boolean supportsDcr,
      @Schema(nullable = true) String authorizationEndpoint,
      @Schema(nullable = true) List<String> scopes) {}

  @Schema(name = "McpOAuthStartRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record McpStartRequest(
      @Schema(required = true, format = "uri") String mcpServerUrl,
      @Schema(description = "required unless reconnect_instance_id is given") String name,
      @Schema(format = "uuid") String customIntegrationId,
      @Schema(description = "absolute URL on an allowed host, or a path on the frontend") String returnUrl,
      @Schema(defaultValue = "custom_mcp") String integrationType,
      @Schema(format = "uuid", description = "repair this connection in place instead of creating one") String reconnectInstanceId,
      String oauthClientId,
      String oauthClientSecret) {

    @Override
    public String toString() {
      return "McpStartRequest[" + mcpServerUrl + "]";
    }
  }

  @Schema(name = "NativeOAuthStartRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record NativeStartRequest(
      @Schema(description = "absolute URL on an allowed host, or a path on the frontend") String returnUrl,
      @Schema(format = "uuid", description = "repair this connection in place instead of creating one") String reconnectInstanceId,
      @Schema(description = "name of the new connection (default: the provider's display name)") String name) {}

  @Schema(name = "OAuthStart")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StartView(@Schema(description = "send the user's browser here") String authorizationUrl) {}

  /** The Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document). */
  @Schema(name = "ClientMetadataDocument")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ClientMetadata(
      String clientId,
      String clientName,
      String clientUri,
      List<String> redirectUris,
      List<String> grantTypes,
      List<String> responseTypes,
      String tokenEndpointAuthMethod,
      String applicationType) {}
}
