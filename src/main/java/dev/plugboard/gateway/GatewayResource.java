package dev.plugboard.gateway;

import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.gateway.GatewayService.Reply;
import dev.plugboard.gateway.ModernAgents.Claimed;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.net.GuardedHttp.Inflight;
import io.vertx.ext.web.RoutingContext;
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
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.Locale;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One connection as an MCP server (Streamable HTTP, server side), for agents holding an API key. */
@Path(GatewayResource.PATH)
@ApiKeyAuthenticated
@McpEndpoint
@Tag(name = "MCP gateway", description = "Use a connection's MCP server through Plugboard; the agent holds only an API key")
@SecurityRequirement(name = ContractOpenApi.API_KEY)
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "403", description = "origin_not_allowed: the request carries an Origin header that plugboard.gateway.allowed-origins does not list", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "404", description = "not_found: the key cannot see the connection, or the session is unknown, another key's, or expired", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
@APIResponse(responseCode = "429", description = "rate_limited", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
public class GatewayResource {

  static final String PATH = "/mcp/v1/connections/{connection_id}";
  static final String SESSION = "Mcp-Session-Id";
  static final String VERSION = "MCP-Protocol-Version";
  static final String EVENT_STREAM = "text/event-stream";

  @Inject GatewayService service;
  @Inject CurrentCaller caller;
  @Inject ModernAgents modern;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "postConnectionMcpMessage",
      summary = "Send one MCP message (JSON-RPC 2.0)",
      description =
          "MCP Streamable HTTP (2025-06-18, 2025-11-25, and 2026-07-28: a request whose _meta carries io.modelcontextprotocol/protocolVersion is served without a session, its Mcp-Method / Mcp-Name headers must match the body (400, -32020), an unsupported version is 400 -32022, server/discover is answered and an unknown method is 404 -32601). initialize opens a session (Mcp-Session-Id in the answer); every"
              + " later message carries it and MCP-Protocol-Version. Requests are answered with application/json, or"
              + " text/event-stream when the server streamed its answer; notifications and responses with 202. Upstream"
              + " failures are JSON-RPC errors (code -32000, data.reason). A connection that needs a person answers with a"
              + " connect link: JSON-RPC -32042 (URL elicitation) for agents that declared it, else a tool result with isError.")
  @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, description = "a JSON-RPC request, notification or response")))
  @APIResponse(responseCode = "200", description = "the JSON-RPC response", content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)), @Content(mediaType = EVENT_STREAM)})
  @APIResponse(responseCode = "202", description = "a notification or response was forwarded")
  @APIResponse(responseCode = "400", description = "not a JSON-RPC message, batch, missing Mcp-Session-Id, unsupported MCP-Protocol-Version; 2026-07-28: header mismatch (-32020), unsupported version (-32022), missing _meta fields (-32602) (JSON-RPC error body)", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, title = "JSON-RPC error", description = "a JSON-RPC 2.0 error response {jsonrpc, id, error: {code, message}}, as MCP answers")))
  @APIResponse(responseCode = "406", description = "Accept does not list both application/json and text/event-stream", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT, title = "JSON-RPC error", description = "a JSON-RPC 2.0 error response {jsonrpc, id, error: {code, message}}, as MCP answers")))
  public Response post(
      @PathParam("connection_id") String connectionId,
      @Parameter(description = "from the initialize answer") @HeaderParam(SESSION) String session,
      @Parameter(description = "the negotiated protocol version") @HeaderParam(VERSION) String version,
      @Parameter(description = "2026-07-28: the JSON-RPC method, which must match the body") @HeaderParam(McpHeaders.METHOD) String mcpMethod,
      @Parameter(description = "2026-07-28: the tool, prompt or resource the body names (Base64 sentinel when not plain ASCII)") @HeaderParam(McpHeaders.NAME) String mcpName,
      @HeaderParam(HttpHeaders.ACCEPT) String accept,
      @Context HttpHeaders headers,
      @Context RoutingContext routing,
      byte[] body) {
    // A request the event loop sent upstream and handed over (LoopCalls): its answer is read here.
    Inflight sent = routing.get(LoopCalls.SENT);
    try {
      var id = Ids.parse("connection_id", connectionId);
      Claimed claimed = new Claimed(version, mcpMethod, mcpName, McpHeaders.paramsIn(headers.getRequestHeaders()));
      return serve(
          accept,
          stream -> {
            Reply modernReply = modern.perConnection(caller.get(), id, claimed, body, stream);
            return modernReply != null ? modernReply : service.post(caller.get(), id, session, version, body, stream, true, sent);
          });
    } finally {
      if (sent != null) {
        sent.closeUnclaimed();
      }
    }
  }

  /** Checks Accept, lets {@code post} answer (told whether the agent takes an event stream) and writes its reply. */
  static Response serve(String accept, Function<Boolean, Reply> post) {
    if (!acceptsBoth(accept)) {
      return Response.status(406)
          .type(MediaType.APPLICATION_JSON)
          .entity(JsonRpc.error(null, -32600, "Not Acceptable: Accept must list application/json and text/event-stream").toString())
          .build();
    }
    Reply reply = post.apply(true);
    Response.ResponseBuilder r = Response.status(reply.status());
    if (reply.sessionId() != null) {
      r.header(SESSION, reply.sessionId());
    }
    if (reply.live() != null) {
      // StreamingOutput is Quarkus REST's plainest way for a blocking method to write chunks: it runs on
      // this worker thread after the status and headers are decided, each flush sends what was written,
      // and blocking on the upstream's next event there holds no event-loop thread.
      StreamingOutput events = reply.live()::writeTo;
      return r.type(EVENT_STREAM).header("Cache-Control", "no-cache").entity(events).build();
    }
    if (reply.messages().isEmpty()) {
      return r.build();
    }
    if (reply.stream()) {
      return r.type(EVENT_STREAM).header("Cache-Control", "no-cache").entity(GatewayService.sse(reply.messages())).build();
    }
    return r.type(MediaType.APPLICATION_JSON).entity(reply.messages().get(0).toString()).build();
  }

  /** Whether {@code accept} lists both application/json and text/event-stream (or any type), as MCP requires. */
  static boolean acceptsBoth(String accept) {
    String accepted = accept == null ? "" : accept.toLowerCase(Locale.ROOT);
    boolean any = accepted.contains("*/*");
    return (any || accepted.contains("application/json")) && (any || accepted.contains(EVENT_STREAM));
  }

  /** The answer to GET: no server-initiated stream is offered. */
  static Response noStream() {
    return Response.status(405)
        .header(HttpHeaders.ALLOW, "POST, DELETE")
        .type(MediaType.APPLICATION_JSON)
        .entity(new ErrorBody("method_not_allowed", "this MCP endpoint offers no server-initiated stream; POST messages"))
        .build();
  }

  @GET
  @Operation(operationId = "getConnectionMcpStream", summary = "Server-initiated event stream (not offered)", description = "Always 405: server messages arrive on the answers to POSTs.")
  @APIResponse(responseCode = "405", description = "method_not_allowed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
  public Response stream(@PathParam("connection_id") String connectionId) {
    return noStream();
  }

  @DELETE
  @Operation(operationId = "deleteConnectionMcpSession", summary = "End an MCP session", description = "Deletes the session and ends the upstream session (best effort).")
  @APIResponse(responseCode = "204", description = "the session is over")
  @APIResponse(responseCode = "400", description = "validation_failed: no Mcp-Session-Id", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
  public Response delete(@PathParam("connection_id") String connectionId, @HeaderParam(SESSION) String session) {
    service.delete(caller.get(), Ids.parse("connection_id", connectionId), session);
    return Response.noContent().build();
  }
}
