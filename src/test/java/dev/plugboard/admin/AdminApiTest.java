package dev.plugboard.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminApiTest {

  @Test
  void guardedByTheAdminToken() {
    given().contentType(ContentType.JSON).body(Map.of("name", "x")).post("/admin/v1/organizations").then().statusCode(401).body("error", equalTo("invalid_token"));
    given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(Map.of("name", "x")).post("/admin/v1/organizations").then().statusCode(401);
    Fixtures.Member m = Fixtures.newMember();
    given().header("Authorization", "Bearer " + m.key()).contentType(ContentType.JSON).body(Map.of("name", "x")).post("/admin/v1/organizations").then().statusCode(401);
  }

  @Test
  void shapesOfTheOperatorApi() {
    var org =
        Fixtures.admin()
            .body(Map.of("name", "Acme", "connections_sharing", true))
            .post("/admin/v1/organizations")
            .then()
            .statusCode(201)
            .body("name", equalTo("Acme"))
            .body("connections_sharing", equalTo(true))
            .body("id", matchesPattern("[0-9a-f-]{36}"))
            .extract();
    String orgId = org.path("id");
    Fixtures.admin()
        .body(Map.of("connections_sharing", false))
        .patch("/admin/v1/organizations/" + orgId)
        .then()
        .statusCode(200)
        .body("name", equalTo("Acme"))
        .body("connections_sharing", equalTo(false));
    Fixtures.admin().body(Map.of("name", "x")).patch("/admin/v1/organizations/" + UUID.randomUUID()).then().statusCode(404);
    String teamId =
        Fixtures.admin()
            .body(Map.of("organization_id", orgId, "name", "Core"))
            .post("/admin/v1/teams")
            .then()
            .statusCode(201)
            .body("organization_id", equalTo(orgId))
            .body("name", equalTo("Core"))
            .extract()
            .path("id");
    Fixtures.admin().body(Map.of("organization_id", UUID.randomUUID().toString(), "name", "x")).post("/admin/v1/teams").then().statusCode(400);
    String email = UUID.randomUUID() + "@acme.test";
    String userId =
        Fixtures.admin()
            .body(Map.of("email", email, "name", "Ada"))
            .post("/admin/v1/users")
            .then()
            .statusCode(201)
            .body("email", equalTo(email))
            .body("name", equalTo("Ada"))
            .extract()
            .path("id");
    Fixtures.admin().body(Map.of("email", email, "name", "Again")).post("/admin/v1/users").then().statusCode(409).body("error", equalTo("conflict"));
    Fixtures.admin().body(Map.of("email", "not-an-email", "name", "x")).post("/admin/v1/users").then().statusCode(400).body("error", equalTo("validation_failed"));
    Fixtures.admin()
        .body(Map.of("role", "admin"))
        .put("/admin/v1/teams/" + teamId + "/members/" + userId)
        .then()
        .statusCode(200)
        .body("team_id", equalTo(teamId))
        .body("user_id", equalTo(userId))
        .body("role", equalTo("admin"));
    Fixtures.admin().body(Map.of("role", "owner")).put("/admin/v1/teams/" + teamId + "/members/" + userId).then().statusCode(400);
    Fixtures.admin()
        .body(Map.of("user_id", userId, "team_id", teamId, "name", "ci"))
        .post("/admin/v1/api-keys")
        .then()
        .statusCode(201)
        .body("key", startsWith("pb_"))
        .body("created_at", matchesPattern(".*Z"));
  }
}
