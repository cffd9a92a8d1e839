package dev.plugboard.oauth;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.oauth.FlowService.Outcome;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The browser side of the OAuth engine: no API key (the state is the credential), answers HTML or a
 * redirect.
 */
@JsonBodies
@Path("/v1/connections/oauth/callback")
@Tag(name = "OAuth browser endpoints", description = "Visited by browsers and authorization servers, not API clients")
// Public: no bearer of any kind (security: [] in /q/openapi).
@SecurityRequirements
public class OAuthCallbackResource {

  @Inject FlowService flows;

  @GET
  @Produces(MediaType.TEXT_HTML)
  @Operation(operationId = "completeOAuthFlow", summary = "OAuth redirect target", description = "Finishes a flow: 302 to the return URL with status=success&connection_id=<id> or status=error&error=<code>; an HTML page when there is no return URL, and a 400 HTML page for an unknown, expired or used state.")
  @APIResponse(responseCode = "302", description = "to the return URL")
  @APIResponse(responseCode = "200", description = "HTML: the connection is ready", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "400", description = "HTML: invalid, expired or used state, or the flow failed", content = @Content(mediaType = MediaType.TEXT_HTML))
  public Response callback(
      @QueryParam("code") String code,
      @QueryParam("state") String state,
      @QueryParam("error") String error,
      @QueryParam("iss") String iss) {
    Outcome outcome = flows.callback(code, state, error, iss);
    Response.ResponseBuilder r =
        outcome instanceof Outcome.Redirect redirect
            ? Response.status(302).location(URI.create(redirect.url()))
            : page((Outcome.Page) outcome);
    return r.header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Frame-Options", "DENY")
        .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .build();
  }

  private static Response.ResponseBuilder page(Outcome.Page page) {
    return Response.status(page.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(html(page));
  }

  private static String html(Outcome.Page page) {
    String title = page.success() ? "Connected" : "Connection failed";
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
        + title
        + "</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>"
        + title
        + "</h1><p>"
        + escape(page.message())
        + "</p></body></html>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
