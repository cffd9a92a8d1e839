package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.SdkAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by conformance/run.sh: the official TypeScript SDK client (conformance/connect-agent.mjs) meets a
 * connection whose secret the server refuses. Declaring URL elicitation, it gets
 * UrlElicitationRequiredError through the connection's endpoint and through /mcp/v1 (the same link);
 * a client without the capability reads the link from the tool result; the person completes the
 * hosted page; every client's retry in its own session succeeds.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.conformance", matches = ".+")
class ConnectLinkAgentTest extends WithPeers {


  @Test
  void theSdkClientGetsTheLinkAndItsRetryWorksAfterThePersonFinished() throws Exception {
    Member m = Fixtures.newMember();
    String conn =
        Fixtures.create(
            m,
            Map.of("name", "Agent Vault", "server_url", peers.base() + "/hdr/mcp", "provider", "user", "auth_method", "apikey",
                "headers", Map.of("secret", Map.of("X-Secret", "a-secret-nobody-typed-yet"))));
    JsonNode out =
        SdkAgent.script(
            "connect-agent.mjs",
            List.of("http://127.0.0.1:" + RestAssured.port, m.key(), conn, "agent_vault", "echo", "{\"text\":\"after the link\"}"),
            Map.of("CONNECT_SECRETS", "{\"X-Secret\":\"" + GatewayPeers.SECRET + "\"}"));

    JsonNode direct = out.at("/perConnectionElicitations/0");
    assertEquals("url", direct.get("mode").asText(), out.toString());
    assertTrue(direct.get("url").asText().contains("/connect/"), out.toString());
    assertEquals(direct, out.at("/aggregateElicitations/0"), "the same pending link on /mcp/v1");
    assertTrue(out.at("/plainResult/isError").asBoolean(), out.toString());
    assertTrue(out.at("/plainResult/content/0/text").asText().contains(direct.get("url").asText()), "the client without URL elicitation reads the same link");
    assertTrue(out.at("/connectTool/description").asText().startsWith("Ask a person"), out.toString());
    assertEquals(200, out.at("/pageStatus").asInt());
    m.as().get("/v1/connect/links/" + direct.get("elicitationId").asText()).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("completed"));
    for (String retry : List.of("perConnectionRetry", "aggregateRetry", "plainRetry")) {
      assertEquals("echo: after the link", out.at("/" + retry + "/content/0/text").asText(), retry + ": " + out);
    }
  }
}
