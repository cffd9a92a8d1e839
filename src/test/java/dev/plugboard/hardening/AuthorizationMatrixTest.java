package dev.plugboard.hardening;

import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.hardening.Endpoints.Endpoint;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint × every kind of caller, from one table. Each row is one endpoint and one target
 * (a personal or a team-shared connection of OWNER); the expected statuses follow the principal
 * order of {@link P}.
 */
@QuarkusTest
class AuthorizationMatrixTest {

  enum P { OWNER, TEAMMATE, TEAM_ADMIN, OTHER_TEAM, OTHER_ORG, REVOKED, EXPIRED, NO_KEY, MALFORMED, ADMIN_TOKEN, INTERNAL_TOKEN }

  /** What {@code {id}} names: the owner's connection, personal or shared, or a connect link the owner made. */
  enum Target { PERSONAL, SHARED, LINK }

  record Row(Endpoint endpoint, Target target, int... expected) {}

  //                      OWNER TEAMMATE ADMIN OTHER_TEAM OTHER_ORG REVOKED EXPIRED NO_KEY MALFORMED ADMIN_TOK INTERNAL_TOK
  static final List<Row> TABLE =
      List.of(
          new Row(Endpoints.LIST, Target.PERSONAL, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.CREATE, Target.PERSONAL, 201, 201, 201, 201, 201, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.GET, Target.PERSONAL, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.GET, Target.SHARED, 200, 200, 200, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.PATCH, Target.PERSONAL, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.PATCH, Target.SHARED, 200, 403, 200, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.DELETE, Target.PERSONAL, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.DELETE, Target.SHARED, 200, 403, 200, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.CREDENTIALS, Target.PERSONAL, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.CREDENTIALS, Target.SHARED, 200, 200, 200, 404, 404, 401, 401, 401, 401, 401, 401),
          // Activity follows the PATCH rule: a shared connection's trail is its creator's and the admins'.
          new Row(Endpoints.ACTIVITY, Target.PERSONAL, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.ACTIVITY, Target.SHARED, 200, 403, 200, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.RESOLVE, Target.PERSONAL, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200),
          // Capability endpoints without a body: authenticated callers reach the endpoint's own
          // answer (a missing body, an unknown provider, Composio not configured), everyone else 401.
          new Row(Endpoints.MCP_PROBE, Target.PERSONAL, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.OAUTH_MCP_CHECK, Target.PERSONAL, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.OAUTH_MCP_START, Target.PERSONAL, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.OAUTH_NATIVE_START, Target.PERSONAL, 404, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.COMPOSIO_START, Target.PERSONAL, 503, 503, 503, 503, 503, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.COMPOSIO_FINALIZE, Target.PERSONAL, 503, 503, 503, 503, 503, 401, 401, 401, 401, 401, 401),
          // Connect links belong to the user and team that made them: nobody else sees them, not even a team admin.
          new Row(Endpoints.LINKS_LIST, Target.LINK, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.LINKS_CREATE, Target.LINK, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.LINK_GET, Target.LINK, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.LINK_CANCEL, Target.LINK, 200, 404, 404, 404, 404, 401, 401, 401, 401, 401, 401),
          new Row(Endpoints.LINK_CONFIRM, Target.LINK, 400, 400, 400, 400, 400, 401, 401, 401, 401, 401, 401));

  /** The callers, built once: one organization with sharing on, two teams, plus another organization. */
  private record Callers(Member owner, Map<P, String> authorization) {}

  private static Callers callers() {
    Fixtures.Org org = Fixtures.org(true);
    Fixtures.Team team = org.team();
    Member owner = team.member("member");
    Member revoked = team.member("member");
    String revokedId = keyId(revoked.key());
    Fixtures.admin().delete("/admin/v1/api-keys/" + revokedId).then().statusCode(200);
    String expired =
        Fixtures.admin()
            .body(Map.of("user_id", owner.userId(), "team_id", owner.teamId(), "name", "expired",
                "expires_at", Instant.now().minus(1, ChronoUnit.MINUTES).toString()))
            .post("/admin/v1/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    Map<P, String> auth = new java.util.EnumMap<>(P.class);
    auth.put(P.OWNER, "Bearer " + owner.key());
    auth.put(P.TEAMMATE, "Bearer " + team.member("member").key());
    auth.put(P.TEAM_ADMIN, "Bearer " + team.member("admin").key());
    auth.put(P.OTHER_TEAM, "Bearer " + org.team().member("admin").key());
    auth.put(P.OTHER_ORG, "Bearer " + Fixtures.org(true).team().member("admin").key());
    auth.put(P.REVOKED, "Bearer " + revoked.key());
    auth.put(P.EXPIRED, "Bearer " + expired);
    auth.put(P.NO_KEY, null);
    auth.put(P.MALFORMED, "Bearer " + owner.key().substring(0, 10) + "!!not a key");
    auth.put(P.ADMIN_TOKEN, "Bearer " + Fixtures.ADMIN_TOKEN);
    auth.put(P.INTERNAL_TOKEN, "Bearer " + Fixtures.INTERNAL_TOKEN);
    return new Callers(owner, auth);
  }

  private static String keyId(String key) {
    return Db.value("SELECT id::text FROM api_keys WHERE key_hash = sha256(convert_to(?, 'UTF8'))", key).toString();
  }

  private static String target(Member owner, Target target) {
    if (target == Target.LINK) {
      return owner.as()
          .body(Map.of("server_url", "https://mcp.example.test/mcp", "name", "matrix", "secret_headers", List.of("Authorization")))
          .post("/v1/connect/links")
          .then()
          .statusCode(201)
          .extract()
          .path("id");
    }
    String id = Fixtures.create(owner, Fixtures.mcpConnection("matrix"));
    if (target == Target.SHARED) {
      owner.as().body(Map.of("shared", true)).patch("/v1/connections/" + id).then().statusCode(200);
    }
    return id;
  }

  static Response call(Endpoint e, String authorization, String connectionId) {
    RequestSpecification spec = RestAssured.given().contentType(ContentType.JSON);
    if (authorization != null) {
      spec.header("Authorization", authorization);
    }
    switch (e.body()) {
      case CREATE -> spec.body(Fixtures.mcpConnection("created by matrix"));
      case PATCH -> spec.body(Map.of("name", "patched by matrix"));
      case EMPTY_OBJECT -> spec.body("{}");
      case NONE -> {}
    }
    return spec.request(e.method(), e.path().replace("{id}", connectionId == null ? "" : connectionId));
  }

  @Test
  void everyEndpointAnswersEveryKindOfCallerAsSpecified() {
    Callers c = callers();
    List<String> wrong = new ArrayList<>();
    for (Row row : TABLE) {
      assertEquals(P.values().length, row.expected().length, "row " + row.endpoint().key());
      for (P p : P.values()) {
        String id = row.endpoint().onConnection() ? target(c.owner(), row.target()) : null;
        Response r = call(row.endpoint(), c.authorization().get(p), id);
        int expected = row.expected()[p.ordinal()];
        if (r.statusCode() != expected) {
          wrong.add(row.endpoint().key() + " [" + row.target() + "] as " + p + ": " + r.statusCode() + " (expected " + expected + ")");
        }
        if (r.statusCode() >= 400) {
          JsonPath body = r.jsonPath();
          assertEquals(Set.of("error", "message"), ((Map<?, ?>) body.get("$")).keySet(), row.endpoint().key() + " as " + p);
        }
        if (id != null && row.endpoint() == Endpoints.LIST) {
          assertFalse(r.asString().contains(id));
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void listsNeverRevealAnotherCallersPersonalConnection() {
    Callers c = callers();
    String id = target(c.owner(), Target.PERSONAL);
    for (P p : List.of(P.TEAMMATE, P.TEAM_ADMIN, P.OTHER_TEAM, P.OTHER_ORG)) {
      String body = call(Endpoints.LIST, c.authorization().get(p), null).then().statusCode(200).extract().asString();
      assertFalse(body.contains(id), p + " sees the owner's personal connection");
    }
    assertTrue(call(Endpoints.LIST, c.authorization().get(P.OWNER), null).asString().contains(id));
  }

  @Test
  void theOpenApiDocumentDescribesIdempotencyAndRateLimits() {
    io.restassured.path.json.JsonPath doc = RestAssured.given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
    List<Map<String, Object>> params = doc.getList("paths.'/v1/connections'.post.parameters");
    assertTrue(params.stream().anyMatch(p -> "Idempotency-Key".equals(p.get("name")) && "header".equals(p.get("in"))));
    assertNotNull(doc.get("paths.'/v1/connections'.post.responses.'422'"));
    assertNotNull(doc.get("paths.'/v1/connections'.get.responses.'200'.headers.'X-RateLimit-Remaining'"));
    assertNotNull(doc.get("paths.'/v1/connections'.get.responses.'429'.headers.'Retry-After'"));
  }

  @Test
  void theTableCoversEveryEndpointOfTheOpenApiDocument() {
    Map<String, Map<String, Object>> paths =
        RestAssured.given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().path("paths");
    Set<String> documented = new TreeSet<>();
    paths.forEach(
        (path, ops) -> {
          if (path.startsWith("/v1/") || path.startsWith("/internal/")) {
            for (String method : ops.keySet()) {
              if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
                documented.add(method.toUpperCase() + " " + path.replaceAll("\\{[^}]+}", "{id}"));
              }
            }
          }
        });
    Set<String> covered = new TreeSet<>();
    TABLE.forEach(r -> covered.add(r.endpoint().key()));
    covered.addAll(Endpoints.PUBLIC);
    Set<String> missing = new TreeSet<>(documented);
    missing.removeAll(covered);
    assertTrue(missing.isEmpty(), "endpoints without a row in AuthorizationMatrixTest.TABLE: " + missing);
    Set<String> inEndpoints = new TreeSet<>();
    Endpoints.ALL.forEach(e -> inEndpoints.add(e.key()));
    assertEquals(inEndpoints, new TreeSet<>(covered.stream().filter(k -> !Endpoints.PUBLIC.contains(k)).toList()),
        "Endpoints.ALL and the matrix table list the same endpoints");
  }
}
