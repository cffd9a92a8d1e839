package dev.plugboard.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hand-written writer of {@link ConnectionView} says exactly what Jackson's reflection says. */
class ConnectionViewJsonTest {

  private static final ObjectMapper REFLECTION = new ObjectMapper();
  private static final ObjectMapper WRITER = new ObjectMapper();

  static {
    new ConnectionViewJson().customize(WRITER);
  }

  @Test
  void everyFieldSet() throws Exception {
    ConnectionView v =
        new ConnectionView(
            UUID.randomUUID(), "Linear \"quoted\" ☃", "linear_quoted", "custom_mcp", "user", UUID.randomUUID(), UUID.randomUUID(),
            "https://mcp.linear.test/mcp?a=1&b=\u2028", "http", "oauth", "mcp_1", UUID.randomUUID(),
            "https://icons.test/i.png", "google", "gmail", List.of("read", "write"), true, true, "ca_1", true,
            List.of("search", "create_issue \"x\""), UUID.randomUUID(), "2026-11-27T10:08:17.123Z", "invalid_grant", "2026-11-27T10:08:17.123Z",
            "2026-11-27T10:08:18.456Z");
    assertEquals(REFLECTION.writeValueAsString(v), WRITER.writeValueAsString(v));
  }

  @Test
  void everyOptionalFieldNull() throws Exception {
    ConnectionView v =
        new ConnectionView(
            UUID.randomUUID(), "n", "n", "custom_mcp", "user", null, UUID.randomUUID(), null, "http", null, null, null,
            null, null, null, null, false, false, null, false, null, null, null, null, "2026-11-27T10:08:17.123Z",
            "2026-11-27T10:08:17.123Z");
    assertEquals(REFLECTION.writeValueAsString(v), WRITER.writeValueAsString(v));
  }

  @Test
  void emptyScopesAndListsOfViews() throws Exception {
    ConnectionView v =
        new ConnectionView(
            UUID.randomUUID(), "n", "n_2", "t", "native", null, UUID.randomUUID(), "u", "sse", "oauth", null, null, null,
            "google", "google", List.of(), false, true, null, false, List.of(), null, null, null, "a", "b");
    var list = new ConnectionViews.ListView(List.of(v, v), 2, 100, 0);
    assertEquals(REFLECTION.writeValueAsString(list), WRITER.writeValueAsString(list));
  }
}
