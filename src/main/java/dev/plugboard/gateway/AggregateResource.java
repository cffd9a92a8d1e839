package dev.plugboard.gateway;

import static dev.plugboard.gateway.GatewayResource.EVENT_STREAM;
import static dev.plugboard.gateway.GatewayResource.SESSION;
import static dev.plugboard.gateway.GatewayResource.VERSION;

import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.gateway.GatewayService.Reply;
import dev.plugboard.gateway.ModernAgents.Claimed;
import dev.plugboard.mcp.McpHeaders;
import dev.plugboard.tenancy.ApiKeyAuthenticated;
import dev.plugboard.tenancy.CurrentCaller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Every connection the key can see as one MCP server (Streamable HTTP, server side), tools named {@code <slug>__<tool>}. */
@Path("/mcp/v1")
@ApiKeyAuthenticated
@McpEndpoint
@Tag(name = "MCP gateway")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "403", description = "origin_not_allowed: the request carries an Origin header that plugboard.gateway.allowed-origins does not list", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "404", description = "not_found: the session is unknown, another key's, or expired", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class AggregateResource {

  @Inject AggregateService service;
  @Inject CurrentCaller caller;
  @Inject ModernAgents modern;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "postAggregateMcpMessage",
      summary = "Send one MCP message (JSON-RPC 2.0) to the aggregate server",
      description =
          "MCP Streamable HTTP (2025-06-18, 2025-11-25, and 2026-07-28: a request whose _meta carries io.modelcontextprotocol/protocolVersion is served without a session, its Mcp-Method / Mcp-Name headers must match the body (400, -32020), an unsupported version is 400 -32022, server/discover is answered and an unknown method is 404 -32601) with Plugboard as the server: initialize (answered by Plugboard,"
              + " capabilities {tools:{listChanged:true}}) opens a session; tools/list lists the allowed tools of every"
              + " connection the key can see, each named <connection slug>__<tool> (an upstream that fails is left out);"
              + " tools/call forwards to the named connection's server and returns its result verbatim; ping is answered"
              + " here; other methods are JSON-RPC -32601. When the visible connections or their allowlists changed since"
              + " the session last listed, the next answer is an event stream starting with notifications/tools/list_changed."
              + " A connection that needs a person answers with a connect link (JSON-RPC -32042 or an isError result); the"
              + " built-in tool plugboard__connect asks for one.")
  @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, description = "a JSON-RPC request, notification or response")))
  @APIResponse(responseCode = "200", description = "the JSON-RPC response", content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)), @Content(mediaType = EVENT_STREAM)})
  @APIResponse(responseCode = "202", description = "a notification or response was accepted")
  @APIResponse(responseCode = "400", description = "not a JSON-RPC message, batch, missing Mcp-Session-Id, unsupported MCP-Protocol-Version; 2026-07-28: header mismatch (-32020), unsupported version (-32022), missing _meta fields (-32602) (JSON-RPC error body)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, title = "JSON-RPC error", description = "a JSON-RPC 2.0 error response {jsonrpc, id, error: {code, message}}, as MCP answers")))
  @APIResponse(responseCode = "406", description = "Accept does not list both application/json and text/event-stream", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, title = "JSON-RPC error", description = "a JSON-RPC 2.0 error response {jsonrpc, id, error: {code, message}}, as MCP answers")))
  public Response post(
      @Parameter(description = "from the initialize answer") @HeaderParam(SESSION) String session,
      @Parameter(description = "the negotiated protocol version") @HeaderParam(VERSION) String version,
      @Parameter(description = "2026-07-28: the JSON-RPC method, which must match the body") @HeaderParam(McpHeaders.METHOD) String mcpMethod,
      @Parameter(description = "2026-07-28: the tool, prompt or resource the body names (Base64 sentinel when not plain ASCII)") @HeaderParam(McpHeaders.NAME) String mcpName,
      @HeaderParam(HttpHeaders.ACCEPT) String accept,
      @Context HttpHeaders headers,
      byte[] body) {
    Claimed claimed = new Claimed(version, mcpMethod, mcpName, McpHeaders.paramsIn(headers.getRequestHeaders()));
    return GatewayResource.serve(
        accept,
        stream -> {
          Reply modernReply = modern.aggregate(caller.get(), claimed, body, stream);
          return modernReply != null ? modernReply : service.post(caller.get(), session, version, body, stream, true);
        });
  }

  @GET
  @Operation(operationId = "getAggregateMcpStream", summary = "Server-initiated event stream (not offered)", description = "Always 405: server messages arrive on the answers to POSTs.")
  @APIResponse(responseCode = "405", description = "method_not_allowed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
  public Response stream() {
    return GatewayResource.noStream();
  }

  @DELETE
  @Operation(operationId = "deleteAggregateMcpSession", summary = "End an aggregate MCP session", description = "Deletes the session and ends every upstream session it opened (best effort).")
  @APIResponse(responseCode = "204", description = "the session is over")
  @APIResponse(responseCode = "400", description = "validation_failed: no Mcp-Session-Id", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
  public Response delete(@HeaderParam(SESSION) String session) {
    service.delete(caller.get(), session);
    return Response.noContent().build();
  }
}
