package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.*;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Db;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With PLUGBOARD_CONNECT_VERIFIER_URL set, nothing is written until the operator's app confirms the person. */
@QuarkusTest
@QuarkusTestResource(value = VerifierPeers.class, restrictToAnnotatedClass = true)
class ConnectVerifierTest {

  @Inject Db db;

  /** Runs a native link up to the verifier; returns the verifier's query (connect_link_id, flow). */
  static Map<String, String> toVerifier(Member m, Map<String, Object> link) {
    String path = path(link);
    Response back = consentAndReturn(press(path, open(path), "continue", Map.of()).header("Location"));
    assertEquals(302, back.statusCode(), back.asString());
    String location = back.header("Location");
    assertTrue(location.startsWith(VerifierPeers.VERIFIER + "?"), location);
    return query(location);
  }

  @Test
  void theCreatorsConfirmationWritesTheConnection() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail", "return_url", "http://app.localhost/after"));
    Map<String, String> v = toVerifier(m, link);
    assertEquals(link.get("id"), v.get("connect_link_id"));
    assertTrue(v.get("flow").length() >= 43);
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("awaiting_confirmation")).body("connection_id", nullValue());
    assertEquals(0L, db.count("SELECT count(*) FROM connections WHERE team_id = ?::uuid", m.teamId()), "nothing written before confirmation");
    assertEquals(1L, db.count("SELECT count(*) FROM oauth_flows WHERE connect_link_id = ?::uuid AND held_grant IS NOT NULL", link.get("id")));

    String connectionId =
        m.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(200)
            .body("status", equalTo("completed"))
            .body("next_url", startsWith("http://app.localhost/after?connect_link_id=" + link.get("id") + "&status=completed&connection_id="))
            .extract().path("connection_id");
    m.as().get("/v1/connections/" + connectionId).then().statusCode(200).body("has_oauth_tokens", equalTo(true)).body("type", equalTo("gmail"));
    assertEquals(0L, db.count("SELECT count(*) FROM oauth_flows WHERE connect_link_id = ?::uuid", link.get("id")), "held tokens are gone");
    m.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(404);
  }

  @Test
  void anotherUsersConfirmationFailsTheLink() {
    Member m = Fixtures.newMember();
    Member attacker = new Fixtures.Team(m.orgId(), m.teamId()).member("admin");
    Map<String, Object> link = make(m, Map.of("provider", "gmail"));
    Map<String, String> v = toVerifier(m, link);
    attacker.as().body(Map.of("flow", "x".repeat(43))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(404);
    attacker.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(403)
        .body("error", equalTo("forbidden"));
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("failed")).body("error", equalTo("user_mismatch"));
    assertEquals(0L, db.count("SELECT count(*) FROM oauth_flows WHERE connect_link_id = ?::uuid", link.get("id")), "held tokens are deleted");
    m.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(404);
    assertEquals(0L, db.count("SELECT count(*) FROM connections WHERE team_id = ?::uuid", m.teamId()));
  }

  @Test
  void typedSecretsWaitEncryptedForTheVerifier() {
    Member m = Fixtures.newMember();
    Map<String, Object> link =
        make(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "Vault", "secret_headers", List.of("Authorization")));
    String path = path(link);
    Response r = press(path, open(path), "continue", Map.of("secret.Authorization", "Bearer held-value"));
    assertEquals(303, r.statusCode());
    Map<String, String> v = query(r.header("Location"));
    assertEquals(0L, db.count("SELECT count(*) FROM connect_links WHERE id = ?::uuid AND held_secrets LIKE '%held-value%'", link.get("id")), "held encrypted");
    m.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(200)
        .body("status", equalTo("completed")).body("next_url", nullValue());
    assertEquals(0L, db.count("SELECT count(*) FROM connect_links WHERE id = ?::uuid AND held_secrets IS NOT NULL", link.get("id")));
  }

  @Test
  void unconfirmedByExpiryTheLinkExpiresAndTheHeldTokensAreDeleted() {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail"));
    Map<String, String> v = toVerifier(m, link);
    db.update("UPDATE connect_links SET expires_at = now() - interval '1 second' WHERE id = ?::uuid", link.get("id"));
    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200);
    m.as().get("/v1/connect/links/" + link.get("id")).then().body("status", equalTo("expired"));
    assertEquals(0L, db.count("SELECT count(*) FROM oauth_flows WHERE connect_link_id = ?::uuid", link.get("id")));
    m.as().body(Map.of("flow", v.get("flow"))).post("/v1/connect/links/" + link.get("id") + "/confirm").then().statusCode(404);
  }

  @Test
  void composioUnsetAnswers503() {
    Member m = Fixtures.newMember();
    m.as().body(Map.of("composio_auth_config_id", "ac_1", "app", "slack", "name", "Slack")).post("/v1/connect/links").then()
        .statusCode(503).body("error", equalTo("service_unavailable"));
  }
}
