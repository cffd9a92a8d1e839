package dev.plugboard.composio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The Composio v3 endpoints Plugboard uses (RESEARCH §1). Every method returns the raw response so
 * that {@link ComposioClient} reads bodies leniently and maps errors in one place.
 */
@Path("/api/v3")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ComposioApi {

  String KEY_HEADER = "x-api-key";

  @POST
  @Path("/connected_accounts")
  Response createConnectedAccount(@HeaderParam(KEY_HEADER) String apiKey, ObjectNode body);

  @GET
  @Path("/connected_accounts/{id}")
  Response connectedAccount(@HeaderParam(KEY_HEADER) String apiKey, @PathParam("id") String id);

  @DELETE
  @Path("/connected_accounts/{id}")
  Response deleteConnectedAccount(@HeaderParam(KEY_HEADER) String apiKey, @PathParam("id") String id);

  @POST
  @Path("/mcp/servers")
  Response createMcpServer(@HeaderParam(KEY_HEADER) String apiKey, ObjectNode body);

  @POST
  @Path("/mcp/servers/generate")
  Response generateMcpUrls(@HeaderParam(KEY_HEADER) String apiKey, ObjectNode body);

  @DELETE
  @Path("/mcp/{id}")
  Response deleteMcpServer(@HeaderParam(KEY_HEADER) String apiKey, @PathParam("id") String id);
}
