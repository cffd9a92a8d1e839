package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.plugboard.connect.ConnectLinkView;
import dev.plugboard.connection.ConnectionView;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The decisions and answer shapes of {@link PersonNeeded} that need no running app. */
class PersonNeededTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static ConnectionView connection(String authMethod, boolean hasTokens, String brokenAt) {
    return new ConnectionView(
        UUID.randomUUID(), "Tracker", "tracker", "custom_mcp", "user", UUID.randomUUID(), UUID.randomUUID(), "http://127.0.0.1:1/mcp", "http",
        authMethod, null, null, null, null, null, null, false, hasTokens, null, false, null, UUID.randomUUID(), brokenAt, null,
        "2026-12-06T10:00:00.000Z", "2026-12-06T10:00:00.000Z");
  }

  @Test
  void theRowAloneTellsABrokenConnectionAndAnOAuthOneWithoutTokens() {
    assertTrue(PersonNeeded.byView(connection("oauth", true, "2026-12-06T10:00:00.000Z")), "broken");
    assertTrue(PersonNeeded.byView(connection("apikey", false, "2026-12-06T10:00:00.000Z")), "broken, whatever its method");
    assertTrue(PersonNeeded.byView(connection("oauth", false, null)), "OAuth without tokens");
    assertFalse(PersonNeeded.byView(connection("oauth", true, null)));
    assertFalse(PersonNeeded.byView(connection("url", false, null)));
    assertFalse(PersonNeeded.byView(connection("apikey", false, null)), "secret headers are judged by the server's answer");
  }

  @Test
  void onlyAnElicitationUrlObjectDeclaresUrlMode() throws Exception {
    assertTrue(PersonNeeded.declaresUrlElicitation(JSON.readTree("{\"params\":{\"capabilities\":{\"elicitation\":{\"url\":{}}}}}")));
    assertTrue(PersonNeeded.declaresUrlElicitation(JSON.readTree("{\"params\":{\"capabilities\":{\"elicitation\":{\"form\":{},\"url\":{}}}}}")));
    assertFalse(PersonNeeded.declaresUrlElicitation(JSON.readTree("{\"params\":{\"capabilities\":{\"elicitation\":{}}}}")), "{} means form mode only");
    assertFalse(PersonNeeded.declaresUrlElicitation(JSON.readTree("{\"params\":{\"capabilities\":{\"elicitation\":{\"url\":true}}}}")));
    assertFalse(PersonNeeded.declaresUrlElicitation(JSON.readTree("{\"params\":{\"capabilities\":{}}}")));
    assertFalse(PersonNeeded.declaresUrlElicitation(JSON.readTree("{}")));
  }

  static ConnectLinkView link() {
    Instant now = Instant.parse("2026-12-06T10:00:00Z");
    return new ConnectLinkView(
        UUID.randomUUID(), "https://plugboard.example:8443/connect/tok", "pending", "reconnect", null, null, null, UUID.randomUUID(), null, null, now, now.plusSeconds(900), null);
  }

  @Test
  void anAgentThatDeclaredUrlElicitationGetsTheSpecsError() {
    ConnectLinkView link = link();
    JsonNode answer = PersonNeeded.withLink(IntNode.valueOf(7), true, link, "The connection needs a person", true);
    assertEquals(7, answer.get("id").asInt());
    assertEquals(-32042, answer.at("/error/code").asInt());
    JsonNode elicitations = answer.at("/error/data/elicitations");
    assertEquals(1, elicitations.size());
    JsonNode e = elicitations.get(0);
    assertEquals("url", e.get("mode").asText());
    assertEquals(link.id().toString(), e.get("elicitationId").asText());
    assertEquals(link.url(), e.get("url").asText());
    assertTrue(e.get("message").asText().contains("plugboard.example:8443"), "names the host the person is sent to");
    assertEquals(4, e.size(), "mode, elicitationId, url, message");
  }

  @Test
  void anyOtherAgentGetsTheLinkInAToolResultOrAnError() {
    ConnectLinkView link = link();
    JsonNode result = PersonNeeded.withLink(IntNode.valueOf(8), true, link, "The connection needs a person", false);
    assertTrue(result.at("/result/isError").asBoolean());
    assertEquals(1, result.at("/result/content").size());
    String text = result.at("/result/content/0/text").asText();
    assertTrue(text.contains(link.url()) && text.contains("2026-12-06T10:15:00Z") && text.contains("retry after authorizing"), text);

    JsonNode error = PersonNeeded.withLink(IntNode.valueOf(9), false, link, "The connection needs a person", false);
    assertEquals(-32000, error.at("/error/code").asInt(), "a request other than a tool call has no tool result");
    assertTrue(error.at("/error/message").asText().contains(link.url()));
  }
}
