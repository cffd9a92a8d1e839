package dev.plugboard.connection;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DESIGN §12: allowed_tools on a connection, and the helper the gateway filters with. */
@QuarkusTest
class ToolPolicyTest {

  private static Map<String, Object> withTools(String name, Object allowedTools) {
    Map<String, Object> body = new HashMap<>(Fixtures.mcpConnection(name));
    body.put("allowed_tools", allowedTools);
    return body;
  }

  @Test
  void createPatchAndReadBack() {
    Member m = Fixtures.newMember();
    String all = Fixtures.create(m, Fixtures.mcpConnection("all"));
    m.as().get("/v1/connections/" + all).then().statusCode(200).body("allowed_tools", nullValue())
        .body("$", hasKey("allowed_tools"));

    String id =
        m.as().body(withTools("some", List.of("search", "create_issue", "search"))).post("/v1/connections")
            .then().statusCode(201).body("allowed_tools", equalTo(List.of("search", "create_issue"))).extract().path("id");
    m.as().get("/v1/connections/" + id).then().body("allowed_tools", equalTo(List.of("search", "create_issue")));
    m.as().get("/v1/connections").then().body("integrations.find { it.id == '" + id + "' }.allowed_tools", equalTo(List.of("search", "create_issue")));

    m.as().body(Map.of("name", "renamed")).patch("/v1/connections/" + id).then().statusCode(200)
        .body("allowed_tools", equalTo(List.of("search", "create_issue")));
    m.as().body(Map.of("allowed_tools", List.of())).patch("/v1/connections/" + id).then().statusCode(200)
        .body("allowed_tools", empty());
    m.as().body(Map.of("allowed_tools", List.of("Search"))).patch("/v1/connections/" + id).then().statusCode(200)
        .body("allowed_tools", equalTo(List.of("Search")));
    m.as().body("{\"allowed_tools\": null}").patch("/v1/connections/" + id).then().statusCode(200)
        .body("allowed_tools", nullValue());
    m.as().get("/v1/connections/" + id).then().body("allowed_tools", nullValue());
  }

  @Test
  void invalidListsAreRefusedInTheEnvelope() {
    Member m = Fixtures.newMember();
    String id = Fixtures.create(m, Fixtures.mcpConnection("x"));
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= ToolPolicy.MAX_TOOLS; i++) {
      tooMany.add("t" + i);
    }
    for (String body :
        List.of(
            "{\"allowed_tools\": [\"\"]}",
            "{\"allowed_tools\": [null]}",
            "{\"allowed_tools\": [\"a\\nb\"]}",
            "{\"allowed_tools\": [\"" + "x".repeat(ToolPolicy.MAX_NAME + 1) + "\"]}",
            "{\"allowed_tools\": [" + String.join(",", tooMany.stream().map(t -> "\"" + t + "\"").toList()) + "]}")) {
      m.as().body(body).patch("/v1/connections/" + id).then().statusCode(400)
          .body("error", equalTo("validation_failed")).body("message", startsWith("allowed_tools"));
    }
    for (String body : List.of("{\"allowed_tools\": \"search\"}", "{\"allowed_tools\": [1]}", "{\"allowed_tools\": {}}")) {
      m.as().body(body).patch("/v1/connections/" + id).then().statusCode(400)
          .body("error", in(List.of("invalid_request", "validation_failed"))).body("$", aMapWithSize(2));
    }
    m.as().body(withTools("bad", List.of(""))).post("/v1/connections").then().statusCode(400)
        .body("error", equalTo("validation_failed")).body("message", startsWith("allowed_tools"));
    m.as().get("/v1/connections/" + id).then().body("allowed_tools", nullValue());
  }

  @Test
  void theHelperFiltersByExactName() {
    assertTrue(ToolPolicy.allows(null, "anything"));
    assertTrue(ToolPolicy.allows(List.of("search"), "search"));
    assertFalse(ToolPolicy.allows(List.of("search"), "Search"));
    assertFalse(ToolPolicy.allows(List.of(), "search"));
    assertFalse(ToolPolicy.allows(List.of("search"), null));
    record Tool(String name) {}
    List<Tool> tools = List.of(new Tool("a"), new Tool("b"), new Tool("c"));
    assertEquals(tools, ToolPolicy.filter(null, tools, Tool::name));
    assertEquals(List.of(new Tool("c"), new Tool("a")).reversed(), ToolPolicy.filter(List.of("c", "a"), tools, Tool::name));
    assertArrayEquals(new String[] {"b", "a"}, ToolPolicy.validate(Arrays.asList("b", "a", "b")));
    assertNull(ToolPolicy.validate(null));
  }
}
