package dev.plugboard.composio;

import static org.hamcrest.Matchers.equalTo;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default test profile has no Composio key: both endpoints say so. */
@QuarkusTest
class ComposioNotConfiguredTest {

  @Test
  void bothEndpointsAnswer503() {
    Member m = Fixtures.newMember();
    m.as()
        .body(Map.of("auth_config_id", "ac_1", "callback_url", "https://app.example.test/done"))
        .post("/v1/connections/composio/start")
        .then()
        .statusCode(503)
        .body("error", equalTo("service_unavailable"));
    m.as()
        .body(Map.of("app", "slack", "integration_name", "Slack", "connected_account_id", "ca_1"))
        .post("/v1/connections/composio/finalize")
        .then()
        .statusCode(503)
        .body("error", equalTo("service_unavailable"));
  }
}
