package dev.plugboard.connection;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.plugboard.credential.HeadersInput;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of {@code /v1/connections} (wire names are snake_case). */
public final class ConnectionViews {

  private ConnectionViews() {}

  @Schema(name = "ConnectionList")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ListView(List<ConnectionView> integrations, long total, int limit, long offset) {}

  @Schema(name = "CreateConnectionRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CreateRequest(
      @Schema(required = true, minLength = 1) String name,
      @Schema(format = "uri", description = "absolute http(s) URL of the MCP server") String serverUrl,
      @Schema(defaultValue = "custom_mcp") String type,
      @Schema(required = true, enumeration = {"user"}) String provider,
      @Schema(required = true, enumeration = {"url", "apikey", "headers", "oauth"}) String authMethod,
      @Schema(format = "uuid") String customIntegrationId,
      HeadersInput headers,
      @Schema(enumeration = {"http", "sse"}, defaultValue = "http") String transportType,
      @Schema(nullable = true, description = ALLOWED_TOOLS) List<String> allowedTools) {}

  static final String ALLOWED_TOOLS =
      "tool names the MCP gateway lists and forwards; null or absent: every tool, []: none. At most 500"
          + " non-empty names of up to 128 characters; duplicates are dropped";

  // Read with ObjectMapper.treeToValue (not a resource parameter): a native image needs it registered.
  @RegisterForReflection
  @Schema(name = "UpdateConnectionRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record UpdateRequest(
      @Schema(minLength = 1) String name,
      @Schema(format = "uri") String serverUrl,
      @Schema(enumeration = {"url", "apikey", "headers", "oauth"}) String authMethod,
      @Schema(nullable = true) String composioMcpId,
      Boolean shared,
      @Schema(description = "replaces the header set; a secret \"\" keeps its stored value, a header left out is removed")
          HeadersInput headers,
      @Schema(nullable = true, description = ALLOWED_TOOLS + "; null allows every tool again") List<String> allowedTools) {}

  @Schema(name = "DeleteResult")
  public record DeleteResult(boolean success, String message) {}

  @Schema(name = "ConnectionCredentials")
  public record CredentialsView(
      UUID id,
      @Schema(description = "header name → plaintext value, or \"\" for a secret") Map<String, String> headers) {}

  @Schema(name = "ResolvedConnection")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ResolvedView(String serverUrl, String transportType, Map<String, String> headers) {}
}
