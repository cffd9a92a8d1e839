package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.connect.ConnectBrowserTest;
import dev.plugboard.support.Await;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.SdkAgent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Run by conformance/run.sh: the official TypeScript SDK client (conformance/connect-agent.mjs) meets a
 * connection whose secret the server refuses. Declaring URL elicitation, it gets
 * UrlElicitationRequiredError through the connection's endpoint and through /mcp/v1 (the same link);
 * a client without the capability reads the link from the tool result; a person completes the hosted
 * page in a real browser (headless chromium; where none is installed, the script's plain HTTP form
 * posts); every client's retry in its own session succeeds.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.conformance", matches = ".+")
class ConnectLinkAgentTest extends WithPeers {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void theSdkClientGetsTheLinkAndItsRetryWorksAfterThePersonFinished() throws Exception {
    Member m = Fixtures.newMember();
    String conn =
        Fixtures.create(
            m,
            Map.of("name", "Agent Vault", "server_url", peers.base() + "/hdr/mcp", "provider", "user", "auth_method", "apikey",
                "headers", Map.of("secret", Map.of("X-Secret", "a-secret-nobody-typed-yet"))));
    boolean realBrowser = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    Path handoff = Files.createTempDirectory("connect-handoff");
    Map<String, String> env = new HashMap<>(Map.of("CONNECT_SECRETS", "{\"X-Secret\":\"" + GatewayPeers.SECRET + "\"}"));
    if (realBrowser) {
      env.put("CONNECT_HANDOFF", handoff.toString());
    }
    SdkAgent.Running agent =
        SdkAgent.start("connect-agent.mjs", List.of("http://127.0.0.1:" + RestAssured.port, m.key(), conn, "agent_vault", "echo", "{\"text\":\"after the link\"}"), env);
    if (realBrowser) {
      Path link = handoff.resolve("link");
      Await.until("the SDK client got the link", 60, () -> link.toFile().length() > 0);
      WebDriver driver = ConnectBrowserTest.browser(false);
      try {
        driver.get(PersonAtPage.onApp(Files.readString(link)));
        driver.findElement(By.name("secret.X-Secret")).sendKeys(GatewayPeers.SECRET);
        driver.findElement(By.id("continue")).click();
        ConnectBrowserTest.waiting(driver).until(ExpectedConditions.titleContains("Connected"));
      } finally {
        driver.quit();
      }
      Files.writeString(handoff.resolve("done"), "done");
    }
    JsonNode out = agent.finish();
    System.out.println("conformance connect link: the SDK client got the link on both endpoints, the person completed it (" + out.at("/browser").asText() + " browser), every retry worked");

    JsonNode direct = out.at("/perConnectionElicitations/0");
    assertEquals("url", direct.get("mode").asText(), out.toString());
    assertTrue(direct.get("url").asText().contains("/connect/"), out.toString());
    assertEquals(direct, out.at("/aggregateElicitations/0"), "the same pending link on /mcp/v1");
    assertTrue(out.at("/plainResult/isError").asBoolean(), out.toString());
    assertTrue(out.at("/plainResult/content/0/text").asText().contains(direct.get("url").asText()), "the client without URL elicitation reads the same link");
    assertTrue(out.at("/connectTool/description").asText().startsWith("Ask a person"), out.toString());
    assertEquals(realBrowser ? "real" : "http", out.at("/browser").asText());
    m.as().get("/v1/connect/links/" + direct.get("elicitationId").asText()).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("completed"));
    for (String retry : List.of("perConnectionRetry", "aggregateRetry", "plainRetry")) {
      assertEquals("echo: after the link", out.at("/" + retry + "/content/0/text").asText(), retry + ": " + out);
    }
  }
}
