package dev.plugboard.tenancy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiKeyAuthTest {

  private static void unauthorized(io.restassured.response.ValidatableResponse r) {
    r.statusCode(401).body("error", equalTo("invalid_token")).body("size()", equalTo(2));
  }

  @Test
  void missingMalformedAndUnknownKeysAre401() {
    unauthorized(given().get("/v1/connections").then());
    unauthorized(given().header("Authorization", "Basic abc").get("/v1/connections").then());
    unauthorized(given().header("Authorization", "Bearer").get("/v1/connections").then());
    unauthorized(given().header("Authorization", "Bearer ' OR 1=1 --").get("/v1/connections").then());
    unauthorized(given().header("Authorization", "Bearer pb_" + "A".repeat(43)).get("/v1/connections").then());
    unauthorized(given().header("Authorization", "Bearer " + Fixtures.ADMIN_TOKEN).get("/v1/connections").then());
  }

  @Test
  void keysAreShownOnceAndStoredHashed() {
    Fixtures.Team team = Fixtures.org(false).team();
    Member m = team.member();
    org.junit.jupiter.api.Assertions.assertTrue(m.key().startsWith("pb_"));
    org.junit.jupiter.api.Assertions.assertTrue(m.key().length() >= 46);
    m.as().get("/v1/connections").then().statusCode(200);
  }

  @Test
  void revokedKeyIs401AtOnce() {
    Fixtures.Team team = Fixtures.org(false).team();
    String userId =
        Fixtures.admin().body(Map.of("email", java.util.UUID.randomUUID() + "@x.test", "name", "u")).post("/admin/v1/users").then().extract().path("id");
    Fixtures.admin().body(Map.of("role", "member")).put("/admin/v1/teams/" + team.id() + "/members/" + userId).then().statusCode(200);
    var created =
        Fixtures.admin()
            .body(Map.of("user_id", userId, "team_id", team.id(), "name", "ci"))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .body("prefix", hasLength(12))
            .body("user_id", equalTo(userId))
            .body("team_id", equalTo(team.id()))
            .body("name", equalTo("ci"))
            .body("expires_at", nullValue())
            .extract();
    String key = created.path("key");
    String id = created.path("id");
    org.junit.jupiter.api.Assertions.assertEquals(key.substring(0, 12), created.path("prefix"));
    given().header("Authorization", "Bearer " + key).get("/v1/connections").then().statusCode(200);
    Fixtures.admin().delete("/admin/v1/api-keys/" + id).then().statusCode(200).body("success", equalTo(true)).body("message", not(emptyOrNullString()));
    unauthorized(given().header("Authorization", "Bearer " + key).get("/v1/connections").then());
    Fixtures.admin().delete("/admin/v1/api-keys/" + java.util.UUID.randomUUID()).then().statusCode(404).body("error", equalTo("not_found"));
  }

  @Test
  void expiredKeyIs401() {
    Fixtures.Team team = Fixtures.org(false).team();
    Member m = team.member();
    String key =
        Fixtures.admin()
            .body(Map.of("user_id", m.userId(), "team_id", team.id(), "name", "short", "expires_at", Instant.now().minusSeconds(5).toString()))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    unauthorized(given().header("Authorization", "Bearer " + key).get("/v1/connections").then());
    String future =
        Fixtures.admin()
            .body(Map.of("user_id", m.userId(), "team_id", team.id(), "name", "long", "expires_at", Instant.now().plusSeconds(3600).toString()))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    given().header("Authorization", "Bearer " + future).get("/v1/connections").then().statusCode(200);
  }

  @Test
  void keyForNonMemberIsRefused() {
    Fixtures.Team team = Fixtures.org(false).team();
    Member other = Fixtures.newMember();
    Fixtures.admin()
        .body(Map.of("user_id", other.userId(), "team_id", team.id(), "name", "x"))
        .post("/admin/v1/api-keys")
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"));
  }
}
