package dev.plugboard.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code /q/openapi} something API tooling accepts (docs/openapi.md): a new endpoint without an
 * operationId, with an undescribed response, an error outside the shared Error schema or no declared
 * security fails the build here, and the committed docs/openapi.json (the generated test client's
 * input) must equal what the app serves.
 */
@QuarkusTest
class OpenApiContractTest {

  static final Path COMMITTED = Path.of("docs/openapi.json");
  static final Path SERVED = Path.of("target/openapi-served.json");
  /** quarkus.smallrye-openapi.store-schema-directory: what openapi-lint/run.sh lints in .ci/run. */
  static final Path STORED = Path.of("target/openapi/openapi.json");
  private static final Pattern OPERATION_ID = Pattern.compile("[a-z][A-Za-z0-9]*");
  private static final String ERROR_REF = "#/components/schemas/Error";
  /** Public endpoints a browser or an authorization server fetches: the only ones that may have no 4xx. */
  private static final Set<String> WITHOUT_CLIENT_ERRORS = Set.of("getOAuthClientMetadata");

  private final ObjectMapper json = new ObjectMapper();
  private String served;
  private JsonNode doc;

  @BeforeEach
  void read() throws Exception {
    served = given().accept(ContentType.JSON).get("/q/openapi?format=json").then().statusCode(200).extract().asString();
    doc = json.readTree(served);
  }

  /** Calls {@code check(label, operation)} for every operation of the document. */
  private void eachOperation(BiConsumer<Operation, JsonNode> check) {
    doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(method -> {
      if (Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(method.getKey())) {
        check.accept(new Operation(method.getKey(), path.getKey()), method.getValue());
      }
    }));
  }

  record Operation(String method, String path) {
    @Override
    public String toString() {
      return method.toUpperCase() + " " + path;
    }
  }

  @Test
  void servedDocumentEqualsTheCommittedCopy() throws Exception {
    Files.createDirectories(SERVED.getParent());
    Files.writeString(SERVED, served);
    assertTrue(Files.exists(COMMITTED), COMMITTED + " is missing: cp " + SERVED + " " + COMMITTED);
    List<String> differences = new ArrayList<>();
    diff("", json.readTree(Files.readString(COMMITTED)), doc, differences);
    assertEquals(
        List.of(),
        differences,
        "/q/openapi differs from " + COMMITTED + " at these JSON pointers; review and commit it (the generated client is built from it): cp " + SERVED + " " + COMMITTED);
  }

  @Test
  void theBuildStoresTheServedDocument() throws Exception {
    assertTrue(Files.exists(STORED), STORED + " not written: quarkus.smallrye-openapi.store-schema-directory");
    List<String> differences = new ArrayList<>();
    diff("", json.readTree(Files.readString(STORED)), doc, differences);
    assertEquals(List.of(), differences);
  }

  /** Adds the JSON pointers where {@code a} and {@code b} differ (at most 20) to {@code out}. */
  private static void diff(String at, JsonNode a, JsonNode b, List<String> out) {
    if (out.size() >= 20 || a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> keys = new TreeSet<>(fieldNames(a));
      keys.addAll(fieldNames(b));
      for (String key : keys) {
        String child = at + "/" + key.replace("~", "~0").replace("/", "~1");
        if (!a.has(key) || !b.has(key)) {
          out.add(child + (a.has(key) ? " (only committed)" : " (only served)"));
        } else {
          diff(child, a.get(key), b.get(key), out);
        }
      }
    } else {
      out.add(at);
    }
  }

  @Test
  void everyOperationHasAUniqueCamelCaseOperationId() {
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    eachOperation((op, node) -> {
      String id = node.path("operationId").asText("");
      if (!OPERATION_ID.matcher(id).matches()) {
        problems.add(op + ": operationId '" + id + "' (add @Operation(operationId = \"verbNoun\", ...))");
      } else if (!seen.add(id)) {
        problems.add(op + ": operationId " + id + " is used twice");
      }
    });
    assertEquals(List.of(), problems);
    assertTrue(seen.containsAll(Set.of("listConnections", "createConnection", "getConnection", "updateConnection", "deleteConnection", "getConnectionCredentials")), seen.toString());
  }

  @Test
  void everyResponseIsDescribedAndErrorsUseTheErrorSchema() {
    List<String> problems = new ArrayList<>();
    eachOperation((op, node) -> {
      JsonNode responses = node.path("responses");
      boolean success = false;
      boolean clientError = false;
      for (var response : responses.properties()) {
        String code = response.getKey();
        JsonNode r = response.getValue();
        success |= code.startsWith("2") || code.startsWith("3");
        clientError |= code.startsWith("4");
        if (r.path("description").asText("").isBlank()) {
          problems.add(op + " " + code + ": no description (@APIResponse(description = ...))");
        }
        if (code.startsWith("4") || code.startsWith("5")) {
          JsonNode content = r.path("content");
          if (content.isEmpty()) {
            problems.add(op + " " + code + ": an error response without a body schema");
          }
          JsonNode schema = content.path("application/json").path("schema");
          boolean jsonRpc = op.path().startsWith("/mcp/") && "JSON-RPC error".equals(schema.path("title").asText());
          if (!schema.isMissingNode() && !jsonRpc && !ERROR_REF.equals(schema.path("$ref").asText())) {
            problems.add(op + " " + code + ": JSON errors are the Error schema (@Schema(implementation = ErrorBody.class)), not " + schema);
          }
        }
      }
      // The one 2xx-less kind: an MCP GET that answers 405 by design (no server-initiated stream).
      if (!success && !responses.has("405")) {
        problems.add(op + ": no success response");
      }
      if (!clientError && !WITHOUT_CLIENT_ERRORS.contains(node.path("operationId").asText())) {
        problems.add(op + ": no 4xx response");
      }
    });
    assertEquals(List.of(), problems);
    JsonNode error = doc.at("/components/schemas/Error");
    assertEquals(Set.of("error", "message"), fieldNames(error.path("properties")));
    assertEquals(Set.of("error", "message"), values(error.path("required")));
  }

  /**
   * Every operation declares its security: the operator API the admin token, the internal API the
   * internal token, the rest an API key or explicitly nothing ({@code security: []}); and the app
   * agrees: without a bearer, a secured operation answers 401 and a public one does not.
   */
  @Test
  void everyOperationDeclaresTheSecurityTheAppEnforces() {
    assertEquals(Set.of("apiKey", "adminToken", "internalToken"), fieldNames(doc.at("/components/securitySchemes")));
    doc.at("/components/securitySchemes").forEach(scheme -> {
      assertEquals("http", scheme.path("type").asText());
      assertEquals("bearer", scheme.path("scheme").asText());
    });
    assertEquals(Set.of("http://localhost:8080"), values(doc.path("servers"), "url"));
    List<String> problems = new ArrayList<>();
    eachOperation((op, node) -> {
      JsonNode security = node.get("security");
      if (security == null || security.size() > 1) {
        problems.add(op + ": declare one @SecurityRequirement(name = ContractOpenApi....) or @SecurityRequirements (public)");
        return;
      }
      Set<String> schemes = security.isEmpty() ? Set.of() : fieldNames(security.get(0));
      String expected = op.path().startsWith("/admin/") ? "adminToken" : op.path().startsWith("/internal/") ? "internalToken" : "apiKey";
      if (!schemes.isEmpty() && !schemes.equals(Set.of(expected))) {
        problems.add(op + ": security " + schemes + ", expected " + expected);
      }
      int status = callWithoutBearer(op);
      if (schemes.isEmpty() == (status == 401)) {
        problems.add(op + ": declares " + (schemes.isEmpty() ? "no security" : schemes) + " but answers " + status + " without a bearer");
      }
    });
    assertEquals(List.of(), problems);
  }

  private static int callWithoutBearer(Operation op) {
    String path = op.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
    var request = given().redirects().follow(false);
    if (!op.method().equals("get") && !op.method().equals("delete")) {
      request = request.contentType(ContentType.JSON).body(Map.of());
    }
    return request.request(op.method(), path).statusCode();
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Set<String> values(JsonNode array, String... field) {
    Set<String> values = new HashSet<>();
    array.forEach(v -> values.add(field.length == 0 ? v.asText() : v.path(field[0]).asText()));
    return values;
  }
}
