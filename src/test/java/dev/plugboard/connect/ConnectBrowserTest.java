package dev.plugboard.connect;

import static dev.plugboard.connect.ConnectTesting.make;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person in a real browser (Debian's chromium, driven through chromium-driver) opens links and
 * completes them, with JavaScript on and off: a native flow against mock-oauth2-server, whose
 * sign-in form the person fills in, and a secrets link whose value the person types.
 */
@QuarkusTest
@QuarkusTestResource(value = ConnectPeers.class, restrictToAnnotatedClass = true)
public class ConnectBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  /** Headless chromium through chromium-driver; the test is skipped (an assumption) where neither is installed. */
  public static WebDriver browser(boolean javascript) {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "no chromium / chromedriver here (apt-get install chromium chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-proxy-server", "--window-size=1200,900");
    if (!javascript) {
      options.setExperimentalOption("prefs", Map.of("profile.managed_default_content_settings.javascript", 2));
    }
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return driver;
  }

  public static WebDriverWait waiting(WebDriver driver) {
    return new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  @ParameterizedTest(name = "javascript={0}")
  @ValueSource(booleans = {true, false})
  void aPersonCompletesANativeLink(boolean javascript) {
    Member m = Fixtures.newMember();
    Map<String, Object> link = make(m, Map.of("provider", "gmail", "name", "Inbox " + javascript));
    WebDriver driver = browser(javascript);
    try {
      driver.get((String) link.get("url"));
      assertEquals("Connect Gmail · Plugboard", driver.getTitle());
      String destination = driver.findElement(By.id("destination")).getText();
      assertEquals("127.0.0.1:" + ConnectPeers.oauth.baseUrl().port(), destination);
      assertTrue(driver.getPageSource().contains("@example.test"), "the page names the creator");

      driver.findElement(By.id("continue")).click();
      // mock-oauth2-server's sign-in form (prompt=consent): the person signs in.
      waiting(driver).until(ExpectedConditions.presenceOfElementLocated(By.name("username")));
      assertTrue(driver.getCurrentUrl().startsWith("http://127.0.0.1:" + ConnectPeers.oauth.baseUrl().port() + "/default/authorize"));
      driver.findElement(By.name("username")).sendKeys("person@example.test");
      driver.findElement(By.cssSelector("input[type=submit]")).click();

      waiting(driver).until(ExpectedConditions.titleContains("Connected"));
      assertTrue(driver.findElement(By.tagName("p")).getText().contains("Inbox " + javascript + " is connected"));
    } finally {
      driver.quit();
    }
    String connectionId =
        m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200).body("status", equalTo("completed")).extract().path("connection_id");
    m.as().get("/v1/connections/" + connectionId).then().statusCode(200).body("has_oauth_tokens", equalTo(true)).body("name", equalTo("Inbox " + javascript));
  }

  @ParameterizedTest(name = "javascript={0}")
  @ValueSource(booleans = {true, false})
  void aPersonTypesTheSecretsOfALink(boolean javascript) {
    Member m = Fixtures.newMember();
    Map<String, Object> link =
        make(m, Map.of("server_url", "https://mcp.example.test/mcp", "name", "Linear " + javascript, "secret_headers", List.of("Authorization")));
    WebDriver driver = browser(javascript);
    try {
      driver.get((String) link.get("url"));
      assertTrue(driver.getPageSource().contains("Nowhere else"), "a secrets link sends the browser nowhere");
      driver.findElement(By.name("secret.Authorization")).sendKeys("Bearer lin_from_the_browser");
      driver.findElement(By.id("continue")).click();
      waiting(driver).until(ExpectedConditions.titleContains("Connected"));
      driver.navigate().back();
      driver.navigate().refresh();
      waiting(driver).until(ExpectedConditions.titleContains("can no longer be used"));
    } finally {
      driver.quit();
    }
    String connectionId =
        m.as().get("/v1/connect/links/" + link.get("id")).then().statusCode(200).body("status", equalTo("completed")).extract().path("connection_id");
    Map<String, Object> resolved =
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + Fixtures.INTERNAL_TOKEN)
            .post("/internal/v1/connections/" + connectionId + "/resolve").then().statusCode(200).extract().path("headers");
    assertEquals("Bearer lin_from_the_browser", resolved.get("Authorization"));
  }
}
