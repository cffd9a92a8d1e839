package dev.plugboard.api;

import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint that takes a JSON body answers 400 invalid_request for a body that is not a JSON
 * document (empty, only white space) or is the JSON value {@code null}, before any field rule runs
 * and whatever the endpoint would answer next (Composio unconfigured, unknown provider, ...).
 */
@QuarkusTest
class MissingBodyTest {

  private record Call(String method, String path, Supplier<RequestSpecification> as) {}

  private static final List<String> NOT_A_JSON_OBJECT = List.of("", "   ", "null", " null\n");

  @Test
  void emptyAndNullBodiesAreInvalidRequestOnEveryEndpointThatTakesABody() {
    Member m = Fixtures.newMember();
    String connection = Fixtures.create(m, Fixtures.mcpConnection("body rules"));
    Supplier<RequestSpecification> member = m::as;
    Supplier<RequestSpecification> admin = Fixtures::admin;
    List<Call> calls =
        List.of(
            new Call("POST", "/v1/connections", member),
            new Call("PATCH", "/v1/connections/" + connection, member),
            new Call("POST", "/v1/connections/mcp/probe", member),
            new Call("POST", "/v1/connections/oauth/mcp/check", member),
            new Call("POST", "/v1/connections/oauth/mcp/start", member),
            new Call("POST", "/v1/connections/oauth/native/gmail/start", member),
            new Call("POST", "/v1/connections/composio/start", member),
            new Call("POST", "/v1/connections/composio/finalize", member),
            new Call("POST", "/admin/v1/organizations", admin),
            new Call("PATCH", "/admin/v1/organizations/" + m.orgId(), admin),
            new Call("POST", "/admin/v1/teams", admin),
            new Call("POST", "/admin/v1/users", admin),
            new Call("PUT", "/admin/v1/teams/" + m.teamId() + "/members/" + m.userId(), admin),
            new Call("POST", "/admin/v1/api-keys", admin));
    List<String> checked = new ArrayList<>();
    for (Call call : calls) {
      for (String body : NOT_A_JSON_OBJECT) {
        call.as()
            .get()
            .body(body)
            .request(call.method(), call.path())
            .then()
            .statusCode(400)
            .contentType(ContentType.JSON)
            .body("error", equalTo("invalid_request"))
            .body("message", containsString("JSON object"))
            .body("size()", equalTo(2));
        checked.add(call.method() + " " + call.path());
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(calls.size() * NOT_A_JSON_OBJECT.size(), checked.size());
  }

  @Test
  void aBodyWithAMissingFieldIsStillValidationFailed() {
    Member m = Fixtures.newMember();
    m.as()
        .body(Map.of("server_url", "https://mcp.example.test/mcp", "provider", "user", "auth_method", "url"))
        .post("/v1/connections")
        .then()
        .statusCode(400)
        .body("error", equalTo("validation_failed"))
        .body("message", startsWith("name"));
    m.as().body("{}").post("/v1/connections/mcp/probe").then().statusCode(400).body("error", equalTo("validation_failed"));
  }

  @Test
  void nothingWasWrittenByARefusedBody() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("kept"));
    m.as().body("null").patch("/v1/connections/" + id).then().statusCode(400);
    m.as().get("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("kept"));
    m.as().get("/v1/connections").then().statusCode(200).body("total", equalTo(1));
  }
}
