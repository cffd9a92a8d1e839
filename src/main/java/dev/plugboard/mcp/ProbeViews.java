package dev.plugboard.mcp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response bodies of {@code POST /v1/connections/mcp/probe}. */
public final class ProbeViews {

  private ProbeViews() {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @Schema(name = "McpProbeRequest")
  public record ProbeRequest(
      @Schema(required = true, description = "The MCP endpoint (Streamable HTTP or legacy SSE)", example = "https://mcp.example.com/mcp")
          String serverUrl,
      @Schema(description = "Headers sent with every request to the server, e.g. Authorization", example = "{\"Authorization\": \"Bearer sk-...\"}")
          Map<String, String> headers) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @Schema(name = "McpTool")
  public record ToolView(
      String name,
      @Schema(implementation = String.class, nullable = true) JsonNode description,
      @Schema(implementation = Object.class, type = SchemaType.OBJECT, description = "The tool's inputSchema, unchanged") JsonNode inputSchema) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Schema(name = "McpProbeResult")
  public record ProbeResult(
      boolean success,
      @Schema(description = "Present when success is true") List<ToolView> tools,
      @Schema(description = "What went wrong, when success is false", example = "server requires authentication (401)") String error) {}
}
