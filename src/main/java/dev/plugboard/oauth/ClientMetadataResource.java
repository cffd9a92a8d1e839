package dev.plugboard.oauth;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.oauth.OAuthViews.ClientMetadata;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Plugboard's Client ID Metadata Document: public, its URL is the client_id. */
@JsonBodies
@Path(OAuthUrls.CLIENT_METADATA_PATH)
@Tag(name = "OAuth browser endpoints", description = "Visited by browsers and authorization servers, not API clients")
// Public: no bearer of any kind (security: [] in /q/openapi).
@SecurityRequirements
public class ClientMetadataResource {

  @Inject OAuthUrls urls;
  @Inject OAuthConfig config;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(operationId = "getOAuthClientMetadata", summary = "Plugboard's OAuth Client ID Metadata Document", description = "Authorization servers that support client metadata documents fetch this URL, which is also the client_id.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ClientMetadata.class)))
  public Response clientMetadata() {
    ClientMetadata doc =
        new ClientMetadata(
            urls.clientMetadataUrl(),
            config.clientName(),
            urls.publicBaseUrl(),
            List.of(urls.callback()),
            List.of("authorization_code", "refresh_token"),
            List.of("code"),
            "none",
            "web");
    return Response.ok(doc).header("Cache-Control", "public, max-age=3600").build();
  }

}
