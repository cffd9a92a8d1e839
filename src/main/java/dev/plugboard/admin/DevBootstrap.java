package dev.plugboard.admin;

import dev.plugboard.tenancy.ApiKey;
import dev.plugboard.tenancy.ApiKeys;
import dev.plugboard.tenancy.TenancyService;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Dev mode only: creates a dev organization, team, user and a fixed API key, and prints curl lines
 * so {@code ./mvnw quarkus:dev} is usable at once.
 */
@ApplicationScoped
public class DevBootstrap {

  public static final String DEV_API_KEY = "pb_dev_plugboard_local_development_key_0001";

  @Inject TenancyService tenancy;

  @ConfigProperty(name = "quarkus.http.port")
  int port;

  void onStart(@Observes StartupEvent event) {
    if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
      return;
    }
    bootstrap();
    String base = "http://localhost:" + port;
    // Straight to the console, not through the log: the log filter masks every pb_ key, and this one
    // is the public dev key the README prints anyway.
    System.out.printf(
        """

        ==== Plugboard dev mode ==========================================================
        Dev API key:  %1$s
          curl -s %2$s/v1/connections -H 'Authorization: Bearer %1$s'
          curl -s %2$s/v1/connections -H 'Authorization: Bearer %1$s' \\
               -H 'Content-Type: application/json' \\
               -d '{"name":"My MCP","server_url":"https://mcp.example.com/mcp","provider":"user","auth_method":"apikey","headers":{"secret":{"Authorization":"Bearer sk-test"}}}'
          curl -s %2$s/v1/connections/<id>/credentials -H 'Authorization: Bearer %1$s'
        Connect link: a page where a person types a key (open its "url" in a browser), then wait for it:
          curl -s %2$s/v1/connect/links -H 'Authorization: Bearer %1$s' \\
               -H 'Content-Type: application/json' \\
               -d '{"server_url":"https://mcp.example.com/mcp","name":"My MCP","secret_headers":["Authorization"]}'
          curl -s '%2$s/v1/connect/links/<id>?wait=60' -H 'Authorization: Bearer %1$s'
        Admin token:  dev-admin-token    Internal token: dev-internal-token
        OpenAPI:      %2$s/q/openapi     Swagger UI: %2$s/q/swagger-ui
        ==================================================================================
        """,
        DEV_API_KEY, base);
  }

  @Transactional
  void bootstrap() {
    if (ApiKey.count("keyHash", (Object) ApiKeys.hash(DEV_API_KEY)) > 0) {
      return;
    }
    var org = tenancy.createOrganization("Dev organization", true);
    var team = tenancy.createTeam(org.id, "Dev team");
    var user = tenancy.createUser("dev-" + UUID.randomUUID() + "@plugboard.local", "Dev user");
    tenancy.putMember(team.id, user.id, "admin");
    tenancy.createApiKey(user.id, team.id, "dev key", null, DEV_API_KEY);
  }
}
