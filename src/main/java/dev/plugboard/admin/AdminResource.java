package dev.plugboard.admin;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.admin.AdminViews.ApiKeyRequest;
import dev.plugboard.admin.AdminViews.ApiKeyView;
import dev.plugboard.admin.AdminViews.DeleteResult;
import dev.plugboard.admin.AdminViews.MemberRequest;
import dev.plugboard.admin.AdminViews.MemberView;
import dev.plugboard.admin.AdminViews.OrganizationRequest;
import dev.plugboard.admin.AdminViews.OrganizationView;
import dev.plugboard.admin.AdminViews.TeamRequest;
import dev.plugboard.admin.AdminViews.TeamView;
import dev.plugboard.admin.AdminViews.UserRequest;
import dev.plugboard.admin.AdminViews.UserView;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Params;
import dev.plugboard.connection.Activity;
import dev.plugboard.connection.ActivityLog;
import dev.plugboard.tenancy.TenancyService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The operator API: tenancy and API keys. Guarded by PLUGBOARD_ADMIN_TOKEN; not rate limited. */
@JsonBodies
@Path("/admin/v1")
@AdminAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Admin", description = "Operator API (Authorization: Bearer <PLUGBOARD_ADMIN_TOKEN>)")
@APIResponse(responseCode = "400", description = "invalid_request or validation_failed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@SecurityRequirement(name = ContractOpenApi.ADMIN_TOKEN)
public class AdminResource {

  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  @Inject TenancyService tenancy;
  @Inject ActivityLog activity;

  @POST
  @Path("/organizations")
  @Operation(operationId = "createOrganization", summary = "Create an organization")
  @APIResponse(responseCode = "201", description = "Created: the organization", content = @Content(schema = @Schema(implementation = OrganizationView.class)))
  public Response createOrganization(OrganizationRequest in) {
    String name = text("name", in.name());
    boolean sharing = in.connectionsSharing() != null && in.connectionsSharing();
    return created(OrganizationView.of(tenancy.createOrganization(name, sharing)));
  }

  @PATCH
  @Path("/organizations/{id}")
  @Operation(operationId = "updateOrganization", summary = "Update an organization (name, connections_sharing)")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = OrganizationView.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public OrganizationView updateOrganization(@PathParam("id") String id, OrganizationRequest in) {
    UUID uuid = Ids.parse("id", id);
    String name = in.name() == null ? null : text("name", in.name());
    return tenancy
        .updateOrganization(uuid, name, in.connectionsSharing())
        .map(OrganizationView::of)
        .orElseThrow(() -> ApiException.notFound("organization"));
  }

  @POST
  @Path("/teams")
  @Operation(operationId = "createTeam", summary = "Create a team in an organization")
  @APIResponse(responseCode = "201", description = "Created: the team", content = @Content(schema = @Schema(implementation = TeamView.class)))
  public Response createTeam(TeamRequest in) {
    UUID org = Ids.parse("organization_id", text("organization_id", in.organizationId()));
    return created(TeamView.of(tenancy.createTeam(org, text("name", in.name()))));
  }

  @POST
  @Path("/users")
  @Operation(operationId = "createUser", summary = "Create a user")
  @APIResponse(responseCode = "201", description = "Created: the user", content = @Content(schema = @Schema(implementation = UserView.class)))
  @APIResponse(responseCode = "409", description = "conflict (email taken)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response createUser(UserRequest in) {
    String email = text("email", in.email());
    if (!EMAIL.matcher(email).matches()) {
      throw ApiException.validation("email", "must be an email address");
    }
    return created(UserView.of(tenancy.createUser(email, text("name", in.name()))));
  }

  @PUT
  @Path("/teams/{team_id}/members/{user_id}")
  @Operation(operationId = "setTeamMember", summary = "Add a user to a team, or change their role")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = MemberView.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public MemberView putMember(@PathParam("team_id") String teamId, @PathParam("user_id") String userId, MemberRequest in) {
    UUID team = Ids.parse("team_id", teamId);
    UUID user = Ids.parse("user_id", userId);
    String role = text("role", in.role());
    if (!role.equals("admin") && !role.equals("member")) {
      throw ApiException.validation("role", "must be admin or member");
    }
    return MemberView.of(tenancy.putMember(team, user, role));
  }

  @POST
  @Path("/api-keys")
  @Operation(operationId = "createApiKey", summary = "Create an API key for a team member", description = "The key is returned once; only its hash is stored.")
  @APIResponse(responseCode = "201", description = "Created: the API key, shown this once", content = @Content(schema = @Schema(implementation = ApiKeyView.class)))
  public Response createApiKey(ApiKeyRequest in) {
    UUID user = Ids.parse("user_id", text("user_id", in.userId()));
    UUID team = Ids.parse("team_id", text("team_id", in.teamId()));
    String name = text("name", in.name());
    Instant expires = null;
    if (in.expiresAt() != null) {
      try {
        expires = Instant.parse(in.expiresAt());
      } catch (DateTimeParseException e) {
        throw ApiException.validation("expires_at", "must be an RFC 3339 time stamp");
      }
    }
    TenancyService.CreatedKey k = tenancy.createApiKey(user, team, name, expires);
    return created(ApiKeyView.of(k.entity(), k.key()));
  }

  @DELETE
  @Path("/api-keys/{id}")
  @Consumes(MediaType.WILDCARD)
  @Operation(operationId = "revokeApiKey", summary = "Revoke an API key", description = "Takes effect within one second on every replica.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = DeleteResult.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public DeleteResult revokeApiKey(@PathParam("id") String id) {
    if (!tenancy.revokeApiKey(Ids.parse("id", id))) {
      throw ApiException.notFound("api key");
    }
    return new DeleteResult(true, "api key revoked");
  }

  @GET
  @Path("/activity")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "listAdminActivity",
      summary = "Read the audit trail of credential use",
      description = "Gateway tools/call and /internal resolve records of every team, newest first, optionally for one team and/or connection. Rows of deleted connections stay until plugboard.activity.retention purges them.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Activity.Page.class)))
  public Activity.Page activity(
      @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @QueryParam("team_id") List<String> teamId,
      @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @QueryParam("connection_id") List<String> connectionId,
      @Parameter(description = "1–100, default 50", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100")) @QueryParam("limit") List<String> limit,
      @Parameter(description = "≥ 0, default 0", schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") List<String> offset) {
    String team = Params.single("team_id", teamId);
    String connection = Params.single("connection_id", connectionId);
    return activity.page(
        connection == null ? null : Ids.parse("connection_id", connection),
        team == null ? null : Ids.parse("team_id", team),
        (int) Params.integer("limit", limit, 50, 1, 100),
        Params.integer("offset", offset, 0, 0, 9007199254740991L));
  }

  private static String text(String field, String value) {
    if (value == null) {
      throw ApiException.validation(field, "is required");
    }
    if (value.isBlank()) {
      throw ApiException.validation(field, "must not be empty");
    }
    if (value.length() > 320) {
      throw ApiException.validation(field, "at most 320 characters");
    }
    return value;
  }

  private static Response created(Object body) {
    return Response.status(201).entity(body).build();
  }
}
