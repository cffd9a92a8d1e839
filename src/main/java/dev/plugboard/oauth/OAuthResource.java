package dev.plugboard.oauth;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.oauth.OAuthViews.CheckRequest;
import dev.plugboard.oauth.OAuthViews.CheckView;
import dev.plugboard.oauth.OAuthViews.McpStartRequest;
import dev.plugboard.oauth.OAuthViews.NativeStartRequest;
import dev.plugboard.oauth.OAuthViews.StartView;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import dev.plugboard.tenancy.CurrentCaller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The API side of the OAuth engine: check an MCP server, start a flow (DESIGN §6). */
@JsonBodies
@Path("/v1/connections/oauth")
@ApiKeyAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Connections", description = "Manage your connected integrations")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class OAuthResource {

  @Inject FlowService flows;
  @Inject CurrentCaller caller;

  @POST
  @Path("/mcp/check")
  @Operation(operationId = "checkMcpOAuth", summary = "Check an MCP server's OAuth support", description = "Runs MCP authorization discovery (401 challenge, protected resource metadata, authorization server metadata; for 2025-03-26 servers the origin's metadata or default endpoints) without writing anything.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CheckView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed or url_not_allowed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "502", description = "upstream_error: unreachable, or unusable OAuth metadata (issuer mismatch, no PKCE S256)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "504", description = "upstream_timeout", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public CheckView check(CheckRequest body) {
    return flows.check(body);
  }

  @POST
  @Path("/mcp/start")
  @Operation(operationId = "startMcpOAuth", summary = "Start connecting an OAuth-protected MCP server", description = "Discovers the server's authorization server, picks a client (yours, a client metadata document, or dynamic registration) and returns the URL to send the user's browser to. The callback creates the connection (or repairs reconnect_instance_id in place).")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = StartView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (e.g. return_url not allowed), url_not_allowed or dcr_not_supported", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: reconnect_instance_id", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "502", description = "upstream_error", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "504", description = "upstream_timeout", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public StartView startMcp(McpStartRequest body) {
    return flows.startMcp(caller.get(), body);
  }

  @POST
  @Path("/native/{provider}/start")
  @Operation(operationId = "startNativeOAuth", summary = "Start connecting a native OAuth provider", description = "Providers come from configuration (google, gmail, googlesheets, outlook built in). Returns the URL to send the user's browser to.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = StartView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (e.g. return_url not allowed)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found: unknown or unconfigured provider, or reconnect_instance_id", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public StartView startNative(@PathParam("provider") String provider, NativeStartRequest body) {
    return flows.startNative(caller.get(), provider, body);
  }
}
