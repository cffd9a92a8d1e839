package dev.plugboard.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OperationsTest {

  @Test
  void healthEndpoints() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body("checks.name", hasItem(containsString("Database")));
    given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void openApiDescribesTheContract() {
    var spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
    for (String path :
        new String[] {"/v1/connections", "/v1/connections/{connection_id}", "/v1/connections/{connection_id}/credentials", "/internal/v1/connections/{connection_id}/resolve", "/admin/v1/api-keys", "/mcp/v1", "/mcp/v1/connections/{connection_id}"}) {
      org.junit.jupiter.api.Assertions.assertNotNull(spec.get("paths.'" + path + "'"), path);
    }
    given()
        .accept("application/json")
        .get("/q/openapi?format=json")
        .then()
        .body("components.schemas.Connection.properties.keySet()", hasItems("id", "name", "type", "provider", "user_id", "team_id", "server_url", "transport_type", "auth_method", "composio_mcp_id", "custom_integration_id", "icon_url", "oauth_provider", "oauth_provider_key", "oauth_scopes", "has_headers", "has_oauth_tokens", "integration_id", "shared", "created_by", "broken_at", "broken_reason", "created_at", "updated_at"))
        .body("components.schemas.ConnectionList.properties.keySet()", hasItems("integrations", "total", "limit", "offset"))
        .body("components.schemas.Error.properties.keySet()", hasItems("error", "message"));
  }
}
