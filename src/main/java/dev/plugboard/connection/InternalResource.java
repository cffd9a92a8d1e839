package dev.plugboard.connection;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.api.ServiceTokens;
import dev.plugboard.connection.ConnectionViews.ResolvedView;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** Credential resolution for agent runtimes: the only response that carries secrets. */
@JsonBodies
@Path("/internal/v1/connections")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Internal", description = "For agent runtimes; guarded by PLUGBOARD_INTERNAL_TOKEN")
@SecurityRequirement(name = ContractOpenApi.INTERNAL_TOKEN)
public class InternalResource {

  private static final Logger LOG = Logger.getLogger(InternalResource.class);

  @Inject InternalConfig config;
  @Inject ConnectionService service;

  @POST
  @Path("/{connection_id}/resolve")
  @Operation(operationId = "resolveConnection", summary = "Resolve a connection for use", description = "server_url, transport and the real header values (fresh OAuth bearer, Composio x-api-key). Every call is logged without values and recorded in the connection's activity (kind resolve, no API key or user: the service token names neither). The secrets are handed out only once that record is stored.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ResolvedView.class)))
  @APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "503", description = "service_unavailable (the database, and so the audit record, is unavailable)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ResolvedView resolve(@PathParam("connection_id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    ServiceTokens.check(config.token(), authorization);
    UUID uuid = Ids.parse("connection_id", id);
    ResolvedView view = service.resolveForRuntime(uuid).orElseThrow(() -> ApiException.notFound("connection"));
    LOG.infof("resolved connection %s (headers: %s)", uuid, view.headers().keySet());
    return view;
  }
}
