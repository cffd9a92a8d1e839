package dev.plugboard.connection;

import dev.plugboard.api.JsonBodies;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Params;
import dev.plugboard.connection.ConnectionViews.CreateRequest;
import dev.plugboard.connection.ConnectionViews.CredentialsView;
import dev.plugboard.connection.ConnectionViews.DeleteResult;
import dev.plugboard.connection.ConnectionViews.ListView;
import dev.plugboard.connection.ConnectionViews.UpdateRequest;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import dev.plugboard.tenancy.CurrentCaller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@JsonBodies
@Path("/v1/connections")
@ApiKeyAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Connections", description = "Manage your connected integrations")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ConnectionResource {

  @Inject ConnectionService service;
  @Inject CurrentCaller caller;
  @Inject ObjectMapper mapper;

  @GET
  @Operation(operationId = "listConnections", summary = "List connections", description = "The caller's connections in the current team, plus team-shared ones while the organization's sharing setting is on. Newest first.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ListView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (limit/offset/type)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ListView list(
      @Parameter(description = "filter by integration type", schema = @Schema(type = SchemaType.STRING)) @QueryParam("type") List<String> type,
      @Parameter(description = "1–100, default 100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100")) @QueryParam("limit") List<String> limit,
      @Parameter(description = "≥ 0, default 0", schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") List<String> offset) {
    String t = Params.single("type", type);
    if (t != null && t.isBlank()) {
      throw ApiException.validation("type", "must not be empty");
    }
    int l = (int) Params.integer("limit", limit, 100, 1, 100);
    long o = Params.integer("offset", offset, 0, 0, 9007199254740991L);
    return service.list(caller.get(), t, l, o);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "createConnection", summary = "Create a user-provided connection (custom MCP server)", description = "OAuth-based connections are started with /v1/connections/oauth/mcp/start, /v1/connections/oauth/native/{provider}/start or /v1/connections/composio/start instead.")
  @APIResponse(responseCode = "201", description = "Created: the connection", content = @Content(schema = @Schema(implementation = ConnectionView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response create(CreateRequest body) {
    return Response.status(201).entity(service.create(caller.get(), body)).build();
  }

  @GET
  @Path("/{connection_id}")
  @Operation(operationId = "getConnection", summary = "Get one of your connections")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ConnectionView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id is not a UUID)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ConnectionView get(@PathParam("connection_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    return service.get(caller.get(), Ids.parse("connection_id", id));
  }

  @PATCH
  @Path("/{connection_id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "updateConnection", summary = "Update a connection", description = "headers replaces the header set: a secret sent as \"\" keeps its stored value, a header left out is removed. Toggling shared moves the connection between personal and team-shared. Changing server_url of an oauth connection drops its tokens. allowed_tools replaces the tool list (null: every tool). The slug never changes.")
  @RequestBody(content = @Content(schema = @Schema(implementation = UpdateRequest.class)))
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ConnectionView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "403", description = "forbidden or sharing_disabled", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ConnectionView update(@PathParam("connection_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id, ObjectNode body)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    UUID uuid = Ids.parse("connection_id", id);
    Set<String> present = new HashSet<>();
    body.fieldNames().forEachRemaining(present::add);
    UpdateRequest request = mapper.treeToValue(body, UpdateRequest.class);
    return service.update(caller.get(), uuid, request, present);
  }

  @DELETE
  @Path("/{connection_id}")
  @Operation(operationId = "deleteConnection", summary = "Delete a connection", description = "Removes the connection, its credentials and every trigger bound to it; then revokes its OAuth tokens / Composio account, best effort.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DeleteResult.class)))
  @APIResponse(responseCode = "403", description = "forbidden", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public DeleteResult delete(@PathParam("connection_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    service.delete(caller.get(), Ids.parse("connection_id", id));
    return new DeleteResult(true, "connection deleted");
  }

  @GET
  @Path("/{connection_id}/credentials")
  @Operation(operationId = "getConnectionCredentials", summary = "Get the header keys of a connection", description = "Plaintext values as stored; secret values as empty strings. Never returns a secret.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CredentialsView.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public CredentialsView credentials(@PathParam("connection_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    UUID uuid = Ids.parse("connection_id", id);
    return new CredentialsView(uuid, service.maskedCredentials(caller.get(), uuid));
  }

  @GET
  @Path("/{connection_id}/activity")
  @Operation(
      operationId = "listConnectionActivity",
      summary = "Read a connection's activity",
      description = "Every use of its credentials (gateway tools/call, /internal resolve), newest first, kept for plugboard.activity.retention. Never arguments, results or header values. Readable by whoever may change the connection: its owner, or for a shared one its creator or a team admin.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Activity.Page.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id, limit, offset)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "403", description = "forbidden (a shared connection, neither its creator nor a team admin)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Activity.Page activity(
      @PathParam("connection_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id,
      @Parameter(description = "1–100, default 50", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100")) @QueryParam("limit") List<String> limit,
      @Parameter(description = "≥ 0, default 0", schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") List<String> offset) {
    UUID uuid = Ids.parse("connection_id", id);
    int l = (int) Params.integer("limit", limit, 50, 1, 100);
    long o = Params.integer("offset", offset, 0, 0, 9007199254740991L);
    return service.activity(caller.get(), uuid, l, o);
  }
}
