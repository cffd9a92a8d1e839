package dev.plugboard.connect;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Params;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.CurrentCaller;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /v1/connect/links} (DESIGN §13): links a person opens to authorize a connection. */
@JsonBodies
@Path("/v1/connect/links")
@ApiKeyAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Connect links", description = "Short-lived, single-use pages where a person authorizes a connection")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ConnectLinkResource {

  @Inject ConnectLinkService links;
  @Inject CurrentCaller caller;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "createConnectLink",
      summary = "Make a connect link",
      description = "Exactly one target: {provider} (native OAuth), {mcp_server_url, name} (MCP server behind OAuth), {server_url, name, secret_headers} (values a person types), {composio_auth_config_id, app, name} or {connection_id} (reconnect in place). Open `url` in a browser; it works once and expires after expires_in seconds.")
  @APIResponse(responseCode = "201", description = "the link; `url` is the page to open", content = @Content(schema = @Schema(implementation = ConnectLinkView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request, validation_failed (no or several targets, expires_in, return_url...) or url_not_allowed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "403", description = "forbidden: the key may not change the connection to reconnect", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: unknown or unconfigured provider, or a connection the key cannot see", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "503", description = "service_unavailable: Composio is not configured", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response create(ConnectLinkRequest body) {
    return Response.status(201).entity(links.create(caller.get(), body)).build();
  }

  @GET
  @Operation(operationId = "listConnectLinks", summary = "List your connect links", description = "The caller's links in the current team, newest first.")
  @APIResponse(responseCode = "200", description = "a page of links", content = @Content(schema = @Schema(implementation = ConnectViews.ListView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (status, limit, offset)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ConnectViews.ListView list(
      @Parameter(description = "only links with this status", schema = @Schema(type = SchemaType.STRING)) @QueryParam("status") List<String> status,
      @Parameter(description = "1–100, default 100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100")) @QueryParam("limit") List<String> limit,
      @Parameter(description = "≥ 0, default 0", schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") List<String> offset) {
    int l = (int) Params.integer("limit", limit, 100, 1, 100);
    long o = Params.integer("offset", offset, 0, 0, Integer.MAX_VALUE);
    return links.list(caller.get(), Params.single("status", status), l, o);
  }

  @GET
  @Path("/{id}")
  @Blocking
  @Operation(
      operationId = "getConnectLink",
      summary = "Read a connect link, optionally waiting for it to end",
      description = "With wait=N (0–60) the answer comes as soon as the link leaves pending/awaiting_confirmation, or after N seconds, whichever replica ended it.")
  @APIResponse(responseCode = "200", description = "the link", content = @Content(schema = @Schema(implementation = ConnectLinkView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id, wait)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: no such link of this key's user in this team", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public CompletionStage<ConnectLinkView> get(
      @PathParam("id") String id,
      @Parameter(description = "seconds to wait for the link to end, 0–60", schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "60")) @QueryParam("wait") List<String> wait) {
    int w = (int) Params.integer("wait", wait, 0, 0, 60);
    Caller c = caller.get();
    return links.await(c, Ids.parse("id", id), w);
  }

  @DELETE
  @Path("/{id}")
  @Operation(operationId = "cancelConnectLink", summary = "Cancel a pending connect link")
  @APIResponse(responseCode = "200", description = "the link, now cancelled", content = @Content(schema = @Schema(implementation = ConnectLinkView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "409", description = "conflict: the link is no longer pending", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ConnectLinkView cancel(@PathParam("id") String id) {
    return links.cancel(caller.get(), Ids.parse("id", id));
  }

  @POST
  @Path("/{id}/confirm")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "confirmConnectLink",
      summary = "Confirm the person of a link (verifier)",
      description = "Called by the operator's verifier page with the signed-in person's API key and the one-time `flow` code it received. The same user and team as the link's creator writes the connection; anyone else gets 403 and the link fails with user_mismatch.")
  @APIResponse(responseCode = "200", description = "the completed link and next_url", content = @Content(schema = @Schema(implementation = ConnectViews.ConfirmView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed (flow)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "403", description = "forbidden: another person, or the link expired; the link fails", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: no such link or code", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "409", description = "conflict: not awaiting confirmation, or the authorization could not be stored", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ConnectViews.ConfirmView confirm(@PathParam("id") String id, ConnectViews.ConfirmRequest body) {
    if (body == null) {
      throw ApiException.invalidRequest("a JSON body is required");
    }
    return links.confirm(caller.get(), Ids.parse("id", id), body.flow());
  }
}
