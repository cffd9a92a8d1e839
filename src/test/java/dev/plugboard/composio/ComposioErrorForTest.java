package dev.plugboard.composio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.plugboard.api.ApiException;
import org.junit.jupiter.api.Test;

class ComposioErrorForTest {

  private static JsonNode error(String message) throws Exception {
    return new ObjectMapper()
        .readTree("{\"error\":{\"message\":\"" + message + "\",\"code\":606,\"status\":404,\"slug\":\"X\"}}");
  }

  private static void check(int composio, int status, String code, String message, JsonNode body) {
    ApiException e = ComposioClient.composioErrorFor(composio, body);
    assertEquals(status, e.status());
    assertEquals(code, e.code());
    assertEquals(message, e.getMessage());
  }

  @Test
  void clientErrorsKeepStatusAndMessage() throws Exception {
    check(400, 400, "validation_failed", "bad field", error("bad field"));
    check(404, 404, "not_found", "Connected account ca_1 not found", error("Connected account ca_1 not found"));
    check(409, 409, "conflict", "duplicate", error("duplicate"));
    check(422, 422, "validation_failed", "unprocessable", error("unprocessable"));
  }

  @Test
  void keyProblemsAndServerErrorsAreUpstreamErrors() throws Exception {
    for (int s : new int[] {401, 403}) {
      ApiException e = ComposioClient.composioErrorFor(s, error("Invalid API key"));
      assertEquals(502, e.status());
      assertEquals("upstream_error", e.code());
      assertFalse(e.getMessage().contains("Invalid API key"));
    }
    check(500, 502, "upstream_error", "Composio failed with HTTP 500: boom", error("boom"));
    check(429, 502, "upstream_error", "Composio failed with HTTP 429: slow down", error("slow down"));
    check(503, 502, "upstream_error", "Composio failed with HTTP 503", MissingNode.getInstance());
  }

  @Test
  void aBodyWithoutMessageStillNamesTheStatus() {
    check(404, 404, "not_found", "Composio answered HTTP 404", MissingNode.getInstance());
    check(400, 400, "validation_failed", "Composio answered HTTP 400", null);
  }

  @Test
  void longMessagesAreCut() throws Exception {
    ApiException e = ComposioClient.composioErrorFor(400, error("x".repeat(5000)));
    assertEquals(501, e.getMessage().length());
  }
}
