package dev.plugboard.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Plays the person's browser at an OAuth authorization server: visits the authorization URL, carries the code back to Plugboard. */
public final class Browser {

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private Browser() {}

  /** Visits the authorization server (which consents at once) and returns where it redirects. */
  public static String consent(String authorizationUrl) {
    try {
      HttpResponse<String> page =
          HTTP.send(HttpRequest.newBuilder(URI.create(authorizationUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> r = page;
      if (page.statusCode() == 200 && page.body().contains("<form method=\"post\">")) {
        // prompt=consent: the server shows its sign-in/consent form; the user submits it.
        r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(authorizationUrl))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=test-user&claims="))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      }
      HttpResponse<String> answer = r;
      assertEquals(302, answer.statusCode(), () -> "authorize answered " + answer.statusCode() + ": " + answer.body());
      String location = answer.headers().firstValue("location").orElse(null);
      assertNotNull(location);
      return location;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Delivers a redirect to Plugboard's callback (its host is not reachable; its path and query are). */
  public static Response deliver(String redirect) {
    URI u = URI.create(redirect);
    assertEquals("/v1/connections/oauth/callback", u.getPath());
    return given().urlEncodingEnabled(false).redirects().follow(false).get(u.getPath() + "?" + u.getRawQuery());
  }

  /** Consents and delivers: the whole browser round trip. */
  public static Response roundTrip(String authorizationUrl) {
    return deliver(consent(authorizationUrl));
  }

  public static Map<String, String> query(String url) {
    return QueryStrings.of(url);
  }

}
