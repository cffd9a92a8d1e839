package dev.plugboard.mcp;

import dev.plugboard.api.JsonBodies;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.mcp.ProbeViews.ProbeRequest;
import dev.plugboard.mcp.ProbeViews.ProbeResult;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@JsonBodies
@Path("/v1/connections/mcp")
@ApiKeyAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Connections", description = "Manage your connected integrations")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ProbeResource {

  @Inject ProbeService probes;
  @Inject ObjectMapper mapper;

  @POST
  @Path("/probe")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "probeMcpServer",
      summary = "Probe an MCP server",
      description =
          "Connects to the server (Streamable HTTP, falling back to the legacy HTTP+SSE transport), sends the given headers"
              + " with every request and lists its tools. Writes nothing. Failures of the remote side are success=false with"
              + " an error a person can act on.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ProbeResult.class)))
  @APIResponse(responseCode = "400", description = "validation_failed, invalid_request or url_not_allowed (outbound policy)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @RequestBody(content = @Content(schema = @Schema(implementation = ProbeRequest.class)))
  public ProbeResult probe(ObjectNode body) {
    return probes.probe(bind(body));
  }

  // Bound here rather than by the reader: Quarkus' built-in mapper for a mismatched input would
  // otherwise answer without the API's error envelope.
  private ProbeRequest bind(ObjectNode body) {
    try {
      return mapper.treeToValue(body, ProbeRequest.class);
    } catch (JsonProcessingException e) {
      String field =
          e instanceof JsonMappingException m && !m.getPath().isEmpty()
              ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]").collect(Collectors.joining("."))
              : "body";
      throw ApiException.invalidRequest(field + ": value has the wrong JSON type");
    }
  }
}
