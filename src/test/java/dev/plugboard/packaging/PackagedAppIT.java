package dev.plugboard.packaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs against the packaged artifact (the prod jar; the native executable with -Dnative) in the
 * prod profile, configured only the way Kubernetes configures it. With -Daot this suite is also
 * the training run of the AOT cache.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedAppResource.class, restrictToAnnotatedClass = true)
class PackagedAppIT {

  @Test
  void probesAnswerUp() {
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void adminCreatesTenantAndConnectionsWork() {
    Member m = Fixtures.newMember();
    String id =
        m.as()
            .body(
                Map.of(
                    "name", "Packaged",
                    "server_url", "https://mcp.packaged.test/mcp",
                    "provider", "user",
                    "auth_method", "apikey",
                    "headers", Map.of("secret", Map.of("Authorization", "Bearer sk-packaged"))))
            .post("/v1/connections")
            .then()
            .statusCode(201)
            .body("has_headers", equalTo(true))
            .extract()
            .path("id");
    m.as().get("/v1/connections").then().statusCode(200).body("integrations.id", hasItem(id));
    m.as().get("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("Packaged"));
  }

  @Test
  void rejectsCallsWithoutApiKey() {
    given().get("/v1/connections").then().statusCode(401).body("error", equalTo("invalid_token"));
  }

  @Test
  void exposesPrometheusMetrics() {
    given().get("/q/health/ready").then().statusCode(200);
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("agroal_"))
        .body(containsString("jvm_memory_used_bytes"));
  }
}
