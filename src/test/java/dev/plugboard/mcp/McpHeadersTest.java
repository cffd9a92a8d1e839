package dev.plugboard.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The 2026-07-28 request metadata headers: the revision's own encoding examples and annotation rules. */
class McpHeadersTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void valuesAreEncodedAsTheRevisionsExamplesShow() {
    assertEquals("us-west1", McpHeaders.encode("us-west1"));
    assertEquals("=?base64?SGVsbG8sIOS4lueVjA==?=", McpHeaders.encode("Hello, 世界"));
    assertEquals("=?base64?IHBhZGRlZCA=?=", McpHeaders.encode(" padded "));
    assertEquals("=?base64?bGluZTEKbGluZTI=?=", McpHeaders.encode("line1\nline2"));
    assertEquals("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=", McpHeaders.encode("=?base64?literal?="));
    for (String v : new String[] {"us-west1", "Hello, 世界", " padded ", "line1\nline2", "=?base64?literal?="}) {
      assertEquals(v, McpHeaders.decode(McpHeaders.encode(v)));
    }
    assertNull(McpHeaders.decode("=?base64?not base64!?="));
  }

  @Test
  void nameIsTheToolPromptOrResourceTheMethodNames() throws Exception {
    assertEquals("echo", McpHeaders.nameOf(JSON.readTree("{\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}")));
    assertEquals("greet", McpHeaders.nameOf(JSON.readTree("{\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\"}}")));
    assertEquals("file:///a.txt", McpHeaders.nameOf(JSON.readTree("{\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///a.txt\"}}")));
    assertNull(McpHeaders.nameOf(JSON.readTree("{\"method\":\"tools/list\",\"params\":{\"name\":\"x\"}}")));
  }

  @Test
  void annotatedArgumentsBecomeParamHeaders() throws Exception {
    JsonNode schema =
        JSON.readTree(
            "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                + "\"n\":{\"type\":\"integer\",\"x-mcp-header\":\"N\"},\"on\":{\"type\":\"boolean\",\"x-mcp-header\":\"On\"},"
                + "\"opt\":{\"type\":\"string\",\"x-mcp-header\":\"Opt\"},"
                + "\"deep\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\",\"x-mcp-header\":\"Zone\"}}}}}");
    JsonNode args = JSON.readTree("{\"region\":\"Zürich\",\"n\":42.0,\"on\":false,\"opt\":null,\"deep\":{\"zone\":\"b\"}}");
    assertEquals(
        Map.of("Mcp-Param-Region", "=?base64?WsO8cmljaA==?=", "Mcp-Param-N", "42", "Mcp-Param-On", "false", "Mcp-Param-Zone", "b"),
        McpHeaders.params(schema, args));
    assertTrue(McpHeaders.validAnnotations(schema));
  }

  @Test
  void annotationsOutsideTheRulesInvalidateTheTool() throws Exception {
    assertFalse(McpHeaders.validAnnotations(JSON.readTree("{\"properties\":{\"a\":{\"type\":\"number\",\"x-mcp-header\":\"A\"}}}")));
    assertFalse(McpHeaders.validAnnotations(JSON.readTree("{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"bad name\"}}}")));
    assertFalse(
        McpHeaders.validAnnotations(
            JSON.readTree("{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"X\"},\"b\":{\"type\":\"string\",\"x-mcp-header\":\"x\"}}}")));
    assertFalse(
        McpHeaders.validAnnotations(JSON.readTree("{\"properties\":{\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"x-mcp-header\":\"L\"}}}}")));
    assertFalse(McpHeaders.validAnnotations(JSON.readTree("{\"anyOf\":[{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}]}")));
  }

  @Test
  void anAgentsParamHeadersAreReadCheckedAndComparedWithTheSchema() {
    Map<String, String> sent = McpHeaders.paramsIn(Map.of("mcp-param-region", java.util.List.of("=?base64?WsO8cmljaA==?="), "Mcp-Name", java.util.List.of("x"), "MCP-PARAM-DAYS", java.util.List.of("3")));
    assertEquals(Map.of("mcp-param-region", "=?base64?WsO8cmljaA==?=", "MCP-PARAM-DAYS", "3"), sent);
    assertTrue(McpHeaders.wellFormed("us-west1"));
    assertTrue(McpHeaders.wellFormed("=?base64?WsO8cmljaA==?="));
    assertFalse(McpHeaders.wellFormed("=?base64?not base64!?="));
    assertFalse(McpHeaders.wellFormed("=?base64?//79?="), "Base64 of bytes that are not UTF-8");
    assertFalse(McpHeaders.wellFormed("Z\u00fcrich"), "not header-safe ASCII");
    Map<String, String> expected = Map.of("Mcp-Param-Region", McpHeaders.encode("Zürich"), "Mcp-Param-Days", "3");
    assertNull(McpHeaders.disagreement(sent, expected), "names ignore case, values compare decoded");
    assertNull(McpHeaders.disagreement(Map.of("Mcp-Param-Region", "=?base64?WsO8cmljaA==?=", "Mcp-Param-Days", "3.0", "Mcp-Param-Other", "x"), expected),
        "integers compare as numbers; a header the schema does not name is ignored");
    assertEquals("the Mcp-Param-Days header is required", McpHeaders.disagreement(Map.of("Mcp-Param-Region", "=?base64?WsO8cmljaA==?="), Map.of("Mcp-Param-Days", "3")));
    assertEquals("Mcp-Param-Region header value 'Bern' does not match body value 'Zürich'", McpHeaders.disagreement(Map.of("mcp-param-region", "Bern"), Map.of("Mcp-Param-Region", McpHeaders.encode("Zürich"))));
  }
}
