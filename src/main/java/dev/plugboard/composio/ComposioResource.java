package dev.plugboard.composio;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.composio.ComposioViews.FinalizeRequest;
import dev.plugboard.composio.ComposioViews.StartRequest;
import dev.plugboard.composio.ComposioViews.StartView;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import dev.plugboard.tenancy.CurrentCaller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@JsonBodies
@Path("/v1/connections/composio")
@ApiKeyAuthenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Connections", description = "Manage your connected integrations")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "502", description = "upstream_error: Composio failed or refused Plugboard's API key", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "503", description = "service_unavailable: Composio is not configured", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "504", description = "upstream_timeout: Composio did not answer in time", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ComposioResource {

  @Inject ComposioService service;
  @Inject CurrentCaller caller;

  @POST
  @Path("/start")
  @Operation(
      operationId = "startComposioConnection",
      summary = "Start a Composio connection",
      description = "Creates a Composio connected account for the auth config. OAuth schemes (auth_scheme omitted, OAUTH2, OAUTH1) answer the redirect_url the user must visit; API_KEY, BEARER_TOKEN and BASIC send auth_fields to Composio (never stored) and come back ACTIVE with redirect_url null. Then call /v1/connections/composio/finalize with the connected_account_id.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = StartView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed (also Composio's 400)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: Composio does not know the auth config", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "422", description = "validation_failed: Composio refused the input", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public StartView start(StartRequest body) {
    return service.start(caller.get(), body);
  }

  @POST
  @Path("/finalize")
  @Operation(
      operationId = "finalizeComposioConnection",
      summary = "Finalize a Composio connection",
      description = "Binds the ACTIVE connected account that this caller started to a new connection (provider composio, type = app) whose server_url is the Composio MCP URL for exactly that account. Finalizing the same account again answers the existing connection.")
  @APIResponse(responseCode = "201", description = "Created: the connection", content = @Content(schema = @Schema(implementation = ConnectionView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed, e.g. the account belongs to another toolkit than app", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: the account was not started by this caller in this team, or Composio does not know it", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "409", description = "conflict: the account is not ACTIVE (the message names its status)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response finalize(FinalizeRequest body) {
    return Response.status(201).entity(service.finalize(caller.get(), body)).build();
  }
}
