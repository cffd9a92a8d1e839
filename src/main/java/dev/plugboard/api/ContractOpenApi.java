package dev.plugboard.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * The parts of {@code /q/openapi} no annotation can say: the three bearer schemes resources name in
 * their {@code @SecurityRequirement}, and {@code servers} from {@code plugboard.public-base-url}. It
 * runs at build time (the document the build stores, which clients are generated from) and again at
 * start-up, so a deployment serves its own public URL.
 */
@OpenApiFilter(stages = {OpenApiFilter.RunStage.BUILD, OpenApiFilter.RunStage.RUNTIME_STARTUP})
public class ContractOpenApi implements OASFilter {

  /** {@code Authorization: Bearer <API key>}: the /v1 API and the MCP gateway. */
  public static final String API_KEY = "apiKey";

  /** {@code Authorization: Bearer <PLUGBOARD_ADMIN_TOKEN>}: the operator API under /admin. */
  public static final String ADMIN_TOKEN = "adminToken";

  /** {@code Authorization: Bearer <PLUGBOARD_INTERNAL_TOKEN>}: agent runtimes under /internal. */
  public static final String INTERNAL_TOKEN = "internalToken";

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getComponents() == null) {
      openAPI.components(OASFactory.createComponents());
    }
    openAPI.getComponents()
        .addSecurityScheme(API_KEY, bearer("An API key (admin API: POST /admin/v1/api-keys); it names one user in one team."))
        .addSecurityScheme(ADMIN_TOKEN, bearer("The operator token, PLUGBOARD_ADMIN_TOKEN; without one configured the admin API answers 404."))
        .addSecurityScheme(INTERNAL_TOKEN, bearer("The agent runtimes' token, PLUGBOARD_INTERNAL_TOKEN; without one configured the internal API answers 404."));
    String base = ConfigProvider.getConfig().getValue("plugboard.public-base-url", String.class);
    openAPI.servers(List.of(OASFactory.createServer().url(base).description("plugboard.public-base-url")));
  }

  private static SecurityScheme bearer(String description) {
    return OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").description(description);
  }
}
