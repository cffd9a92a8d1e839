package dev.plugboard.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Builds tenants through the admin API, as an operator would. */
public final class Fixtures {

  public static final String ADMIN_TOKEN = "test-admin-token";
  public static final String INTERNAL_TOKEN = "test-internal-token";

  private Fixtures() {}

  public static RequestSpecification admin() {
    return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON);
  }

  public record Org(String id) {
    public Team team() {
      String teamId =
          admin()
              .body(Map.of("organization_id", id, "name", "team-" + UUID.randomUUID()))
              .post("/admin/v1/teams")
              .then()
              .statusCode(201)
              .extract()
              .path("id");
      return new Team(id, teamId);
    }

    public void sharing(boolean on) {
      admin().body(Map.of("connections_sharing", on)).patch("/admin/v1/organizations/" + id).then().statusCode(200);
    }
  }

  public record Team(String orgId, String id) {
    public Member member(String role) {
      String userId =
          admin()
              .body(Map.of("email", UUID.randomUUID() + "@example.test", "name", "user"))
              .post("/admin/v1/users")
              .then()
              .statusCode(201)
              .extract()
              .path("id");
      admin().body(Map.of("role", role)).put("/admin/v1/teams/" + id + "/members/" + userId).then().statusCode(200);
      return new Member(orgId, id, userId, key(userId));
    }

    public Member member() {
      return member("member");
    }

    String key(String userId) {
      return admin()
          .body(Map.of("user_id", userId, "team_id", id, "name", "k"))
          .post("/admin/v1/api-keys")
          .then()
          .statusCode(201)
          .extract()
          .path("key");
    }
  }

  public record Member(String orgId, String teamId, String userId, String key) {
    public RequestSpecification as() {
      return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }
  }

  public static Org org(boolean sharing) {
    String id =
        admin()
            .body(Map.of("name", "org-" + UUID.randomUUID(), "connections_sharing", sharing))
            .post("/admin/v1/organizations")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    return new Org(id);
  }

  /** A fresh member of a fresh team in a fresh organization. */
  public static Member newMember() {
    return org(true).team().member("member");
  }

  public static Map<String, Object> mcpConnection(String name) {
    return Map.of(
        "name", name,
        "server_url", "https://mcp.example.test/mcp",
        "provider", "user",
        "auth_method", "url");
  }

  public static String create(Member m, Map<String, Object> body) {
    return m.as().body(body).post("/v1/connections").then().statusCode(201).extract().path("id");
  }
}
