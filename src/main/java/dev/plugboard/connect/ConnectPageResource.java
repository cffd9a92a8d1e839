package dev.plugboard.connect;

import dev.plugboard.api.JsonBodies;
import dev.plugboard.connect.ConnectPages.Shown;
import dev.plugboard.credential.OpaqueTokens;
import dev.plugboard.oauth.FlowService.Outcome;
import dev.plugboard.oauth.OAuthUrls;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The hosted page of a connect link (DESIGN §13): plain HTML for a person in a browser, no API key
 * (the token in the path is the credential), no JavaScript, nothing from another origin.
 */
@JsonBodies
@Path("/connect")
@SecurityRequirements
@Tag(name = "Connect link page", description = "Visited by people in a browser, not by API clients")
public class ConnectPageResource {

  /** Anti-forgery: the page's hidden field must equal this cookie, which only our own page can read. */
  static final String CSRF_COOKIE = "pb_connect_csrf";
  private static final Pattern CSRF_SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

  @Inject ConnectPages pages;
  @Inject ConnectConfig config;
  @Inject OAuthUrls urls;

  @Location("connect/page.html")
  Template page;

  @Location("connect/message.html")
  Template message;

  @GET
  @Path("/{token}")
  @Produces(MediaType.TEXT_HTML)
  @Operation(operationId = "showConnectLinkPage", summary = "The page of a connect link", description = "Says who the link is for, what will be connected and where the browser goes next; never uses the link up.")
  @APIResponse(responseCode = "200", description = "HTML: the page with Continue and Cancel", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "404", description = "HTML: no such link", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "410", description = "HTML: the link was used, expired or cancelled", content = @Content(mediaType = MediaType.TEXT_HTML))
  public Response show(@PathParam("token") String token, @CookieParam(CSRF_COOKIE) String cookie) {
    String csrf = cookie != null && CSRF_SHAPE.matcher(cookie).matches() ? cookie : OpaqueTokens.random256();
    Response.ResponseBuilder r = answer(pages.show(token, csrf));
    if (!csrf.equals(cookie)) {
      r.cookie(csrfCookie(csrf));
    }
    return r.build();
  }

  @POST
  @Path("/{token}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  @Operation(operationId = "submitConnectLinkPage", summary = "Continue or cancel on a connect link's page", description = "action=continue uses the link up (of two concurrent presses exactly one goes on) and sends the browser on; action=cancel cancels it.")
  @APIResponse(responseCode = "303", description = "to the authorization server, the verifier, the return URL")
  @APIResponse(responseCode = "200", description = "HTML: done (no return URL), or the page again when a value is missing")
  @APIResponse(responseCode = "400", description = "HTML: the form is not from this page (anti-forgery check), or the connection failed", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "404", description = "HTML: no such link", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "410", description = "HTML: the link was used, expired or cancelled", content = @Content(mediaType = MediaType.TEXT_HTML))
  public Response submit(
      @PathParam("token") String token, @CookieParam(CSRF_COOKIE) String cookie, MultivaluedMap<String, String> form) {
    String csrf = first(form, "csrf");
    if (cookie == null || !OpaqueTokens.same(cookie, csrf)) {
      return html(
              400,
              message.data("title", "Please open the link again")
                  .data("text", "This form did not come from the link's page (or your browser refused its cookie). Open the link you were given again.")
                  .data("productName", config.productName()))
          .build();
    }
    String action = first(form, "action");
    if ("cancel".equals(action)) {
      return answer(pages.cancel(token)).build();
    }
    if (!"continue".equals(action)) {
      return html(400, message.data("title", "Unknown action").data("text", "Choose Continue or Cancel.").data("productName", config.productName()))
          .build();
    }
    Map<String, String> typed = new LinkedHashMap<>();
    form.forEach((k, v) -> {
      if (k.startsWith(ConnectPages.SECRET_FIELD) && !v.isEmpty()) {
        typed.put(k.substring(ConnectPages.SECRET_FIELD.length()), v.get(0));
      }
    });
    return answer(pages.proceed(token, csrf, typed)).build();
  }

  @GET
  @Path("/return/{code}")
  @Produces(MediaType.TEXT_HTML)
  @Operation(operationId = "returnToConnectLink", summary = "Where Composio sends the browser back to a link", description = "One-time URL given to Composio as callback_url; finishes the link's Composio account.")
  @APIResponse(responseCode = "303", description = "to the verifier or the return URL")
  @APIResponse(responseCode = "200", description = "HTML: done", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "400", description = "HTML: the connection failed", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "404", description = "HTML: no such return", content = @Content(mediaType = MediaType.TEXT_HTML))
  @APIResponse(responseCode = "410", description = "HTML: already used", content = @Content(mediaType = MediaType.TEXT_HTML))
  public Response composioReturn(@PathParam("code") String code) {
    return answer(pages.composioReturn(code)).build();
  }

  private Response.ResponseBuilder answer(Shown shown) {
    if (shown instanceof Shown.Open open) {
      return html(open.page().problem() == null ? 200 : 400, page.data("page", open.page()));
    }
    if (shown instanceof Shown.Next next) {
      Outcome o = next.outcome();
      if (o instanceof Outcome.Redirect redirect) {
        return secure(Response.seeOther(URI.create(redirect.url())));
      }
      Outcome.Page p = (Outcome.Page) o;
      return html(p.status(), message.data("title", p.success() ? "Connected" : (p.status() == 200 ? "Cancelled" : "Not connected"))
          .data("text", p.message())
          .data("productName", config.productName()));
    }
    boolean gone = shown instanceof Shown.Gone;
    return html(
        gone ? 410 : 404,
        message.data("title", gone ? "This link can no longer be used" : "Link not found")
            .data("text", gone
                ? "It was already used, it expired, or it was cancelled. Ask whoever sent it for a new one."
                : "Check that you copied the whole link, or ask whoever sent it for a new one.")
            .data("productName", config.productName()));
  }

  private static Response.ResponseBuilder html(int status, io.quarkus.qute.TemplateInstance body) {
    return secure(Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(body.render()));
  }

  /** DESIGN §13's headers on every answer of the page. */
  private static Response.ResponseBuilder secure(Response.ResponseBuilder r) {
    return r.header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Frame-Options", "DENY")
        .header("X-Content-Type-Options", "nosniff")
        // No form-action: Chrome applies it to the redirect after Continue (the authorization server).
        .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'");
  }

  private NewCookie csrfCookie(String value) {
    return new NewCookie.Builder(CSRF_COOKIE)
        .value(value)
        .path("/connect")
        .httpOnly(true)
        .secure(urls.publicBaseUrl().toLowerCase(Locale.ROOT).startsWith("https://"))
        .sameSite(NewCookie.SameSite.STRICT)
        .build();
  }

  private static String first(MultivaluedMap<String, String> form, String name) {
    List<String> v = form == null ? null : form.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
