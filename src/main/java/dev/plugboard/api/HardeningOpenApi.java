package dev.plugboard.api;

import java.util.Set;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Puts what {@link ApiGate} does for every API-key endpoint into {@code /q/openapi}: the optional
 * {@code Idempotency-Key} header with its 409/422 answers on writes, and the rate-limit headers on
 * every response. Public browser endpoints (the OAuth callback) are left alone.
 */
public class HardeningOpenApi implements OASFilter {

  private static final Set<PathItem.HttpMethod> WRITES =
      Set.of(PathItem.HttpMethod.POST, PathItem.HttpMethod.PATCH, PathItem.HttpMethod.DELETE);

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
      return;
    }
    openAPI.getPaths().getPathItems().forEach((path, item) -> {
      if (!path.startsWith("/v1/") || path.endsWith("/oauth/callback") || item.getOperations() == null) {
        return;
      }
      item.getOperations().forEach((method, op) -> {
        if (WRITES.contains(method)) {
          op.addParameter(
              OASFactory.createParameter()
                  .name(Idempotency.HEADER)
                  .in(Parameter.In.HEADER)
                  .required(false)
                  .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING).minLength(1).maxLength(255).pattern("^[\\x21-\\x7E]+$"))
                  .description("Makes retries safe: a repeat with the same key and body within 24 h replays the first response (header Idempotent-Replayed: true). 1-255 printable ASCII characters."));
          op.getResponses().addAPIResponse("409", error("conflict: a request with this Idempotency-Key is still in progress"));
          op.getResponses().addAPIResponse("422", error("idempotency_key_reused: the key was used with a different request"));
        }
        op.getResponses().addAPIResponse("429", error("rate_limited (see Retry-After)")
            .addHeader("Retry-After", integerHeader("seconds until a request is allowed again")));
        if (op.getResponses().getAPIResponses() != null) {
          op.getResponses().getAPIResponses().forEach((code, response) -> {
            response.addHeader("X-RateLimit-Limit", integerHeader("requests per minute allowed for this API key"));
            response.addHeader("X-RateLimit-Remaining", integerHeader("requests left in the current window"));
            response.addHeader("X-RateLimit-Reset", integerHeader("unix time (seconds) when the full allowance is back"));
          });
        }
      });
    });
  }

  private static Header integerHeader(String description) {
    return OASFactory.createHeader().description(description).schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
  }

  private static APIResponse error(String description) {
    MediaType json = OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Error"));
    return OASFactory.createAPIResponse().description(description).content(OASFactory.createContent().addMediaType("application/json", json));
  }
}
