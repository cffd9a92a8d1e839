package dev.plugboard.connect;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Browser;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.QueryStrings;
import io.restassured.response.Response;
import java.net.URI;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Steps the connect-link tests share: make a link, open its page, press a button, follow redirects. */
final class ConnectTesting {

  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"");

  private ConnectTesting() {}

  static Map<String, Object> make(Member m, Map<String, Object> body) {
    return m.as().body(body).post("/v1/connect/links").then().statusCode(201).extract().jsonPath().getMap("");
  }

  /** The page path of a link's absolute URL. */
  static String path(Map<String, Object> link) {
    String url = (String) link.get("url");
    assertNotNull(url, "a pending link has a url");
    return URI.create(url).getPath();
  }

  /** The page as a browser without JavaScript sees it: its cookie and anti-forgery field. */
  record Opened(Response page, String cookie, String csrf) {}

  static Opened open(String path) {
    Response page = given().redirects().follow(false).get(path);
    assertEquals(200, page.statusCode(), page.asString());
    Matcher m = CSRF.matcher(page.asString());
    assertTrue(m.find(), "the page carries an anti-forgery field");
    return new Opened(page, page.getCookie(ConnectPageResource.CSRF_COOKIE), m.group(1));
  }

  static Response press(String path, Opened opened, String action, Map<String, String> fields) {
    var r = given().redirects().follow(false).contentType("application/x-www-form-urlencoded").formParam("action", action).formParam("csrf", opened.csrf());
    if (opened.cookie() != null) {
      r = r.cookie(ConnectPageResource.CSRF_COOKIE, opened.cookie());
    }
    for (Map.Entry<String, String> e : fields.entrySet()) {
      r = r.formParam(e.getKey(), e.getValue());
    }
    return r.post(path);
  }

  /** Plays the browser at the authorization server (consents at once) and brings the code back. */
  static Response consentAndReturn(String authorizationUrl) {
    return Browser.roundTrip(authorizationUrl);
  }

  static Map<String, String> query(String url) {
    return QueryStrings.of(url);
  }

}
