package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.webhook.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connect links on the outbox (DESIGN §14): a completed link announces itself with
 * {@code connect_link.completed} beside the connection's own event (created for a new connection,
 * reconnected for one repaired in place), signed, with the link in {@code data.link} and no typed
 * secret anywhere in a body.
 */
@QuarkusTest
class ConnectLinkEventsTest {

  private static final String TYPED = "Bearer typed-by-a-person-7f3c9a";

  @Test
  void aCompletedLinkAndItsConnectionArriveSignedWithoutTheTypedSecret() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      Member m = Fixtures.newMember();
      String secret =
          Fixtures.admin()
              .body(Map.of("url", receiver.url(), "organization_id", m.orgId(), "events", List.of("connect_link.completed", "connection.created", "connection.reconnected")))
              .post("/admin/v1/webhooks")
              .then().statusCode(201).extract().path("secret");

      Map<String, Object> link = make(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "Linear", "secret_headers", List.of("Authorization")));
      String path = path(link);
      Opened opened = open(path);
      assertEquals(200, press(path, opened, "continue", Map.of("secret.Authorization", TYPED)).statusCode());
      String connectionId = m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200).extract().path("connection_id");

      Receiver.Hit completed = awaitLinkEvent(receiver, (String) link.get("id"));
      completed.verify(secret);
      JsonNode data = completed.json().get("data");
      assertEquals("completed", data.at("/link/status").asText());
      assertEquals("secrets", data.at("/link/kind").asText());
      assertEquals(connectionId, data.at("/connection/id").asText());
      assertEquals(m.orgId(), data.get("organization_id").asText());
      Await.until("connection.created arrives", 20, () -> !receiver.ofType("connection.created").isEmpty());
      assertEquals(connectionId, receiver.ofType("connection.created").get(0).json().at("/data/connection/id").asText());

      // The same connection repaired in place through a reconnect link: reconnected, then the link.
      Map<String, Object> again = make(m, Map.of("connection_id", connectionId));
      String againPath = path(again);
      Opened second = open(againPath);
      assertEquals(200, press(againPath, second, "continue", Map.of("secret.Authorization", TYPED + "-2")).statusCode());
      Receiver.Hit reconnectedLink = awaitLinkEvent(receiver, (String) again.get("id"));
      assertEquals("reconnect", reconnectedLink.json().at("/data/link/kind").asText());
      Await.until("connection.reconnected arrives", 20, () -> !receiver.ofType("connection.reconnected").isEmpty());
      Receiver.Hit reconnected = receiver.ofType("connection.reconnected").get(0);
      reconnected.verify(secret);
      assertEquals(connectionId, reconnected.json().at("/data/connection/id").asText());

      for (Receiver.Hit h : receiver.hits) {
        assertFalse(h.body().contains("typed-by-a-person"), "a typed secret in " + h.type());
      }
    }
  }

  private static Receiver.Hit awaitLinkEvent(Receiver receiver, String linkId) {
    Await.until("connect_link.completed of " + linkId + " arrives", 20, () -> find(receiver, linkId) != null);
    return find(receiver, linkId);
  }

  private static Receiver.Hit find(Receiver receiver, String linkId) {
    return receiver.ofType("connect_link.completed").stream()
        .filter(h -> linkId.equals(h.json().at("/data/link/id").asText()))
        .findFirst()
        .orElse(null);
  }
}
