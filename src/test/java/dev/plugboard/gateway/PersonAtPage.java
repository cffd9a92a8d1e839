package dev.plugboard.gateway;

import io.restassured.RestAssured;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The person's browser on a connect link's hosted page, by plain HTTP exactly as a browser without
 * JavaScript does it: GET the page (keeping its cookie), POST its form back with the hidden fields,
 * the typed secrets and {@code action=continue}, and follow the redirects. The link's origin is the
 * configured public base URL; the page is reached on the test app at the same path.
 */
final class PersonAtPage {

  private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.CASE_INSENSITIVE);

  /** What the browser went through: each answer's status, and the text of the last page. */
  record Visit(List<Integer> statuses, String lastPage) {}

  private PersonAtPage() {}

  static String onApp(String linkUrl) {
    return "http://127.0.0.1:" + RestAssured.port + URI.create(linkUrl).getRawPath();
  }

  /** Opens the link and presses Continue, typing {@code secrets} (header name to value) where asked. */
  static Visit complete(String linkUrl, Map<String, String> secrets) throws Exception {
    String page = onApp(linkUrl);
    Map<String, String> cookies = new LinkedHashMap<>();
    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(page)).GET().build(), HttpResponse.BodyHandlers.ofString());
    keep(get, cookies);
    List<Integer> statuses = new ArrayList<>(List.of(get.statusCode()));
    if (get.statusCode() != 200) {
      return new Visit(statuses, get.body());
    }
    StringBuilder form = new StringBuilder();
    Matcher m = INPUT.matcher(get.body());
    while (m.find()) {
      String name = attribute(m.group(), "name");
      String type = attribute(m.group(), "type");
      if (name == null) {
        continue;
      }
      if ("hidden".equalsIgnoreCase(type)) {
        add(form, name, unescape(attribute(m.group(), "value")));
      } else if (name.startsWith("secret.")) {
        add(form, name, secrets.getOrDefault(name.substring("secret.".length()), ""));
      }
    }
    add(form, "action", "continue");
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(page)).header("Content-Type", "application/x-www-form-urlencoded");
    if (!cookies.isEmpty()) {
      post.header("Cookie", cookieHeader(cookies));
    }
    HttpResponse<String> answer = HTTP.send(post.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
    keep(answer, cookies);
    statuses.add(answer.statusCode());
    URI at = URI.create(page);
    for (int hops = 0; hops < 10; hops++) {
      if (answer.statusCode() / 100 == 3 && answer.headers().firstValue("Location").isPresent()) {
        at = at.resolve(answer.headers().firstValue("Location").get());
        if (at.getAuthority().equals(URI.create(linkUrl).getAuthority())) {
          at = URI.create("http://127.0.0.1:" + RestAssured.port + at.getRawPath() + (at.getRawQuery() == null ? "" : "?" + at.getRawQuery()));
        }
        HttpRequest.Builder hop = HttpRequest.newBuilder(at).GET();
        if (at.getPort() == RestAssured.port && !cookies.isEmpty()) {
          hop.header("Cookie", cookieHeader(cookies)); // the app's cookies go to the app only
        }
        answer = HTTP.send(hop.build(), HttpResponse.BodyHandlers.ofString());
      } else if (answer.statusCode() == 200 && at.getPort() != RestAssured.port && answer.body().contains("<form method=\"post\">")) {
        // The authorization server's sign-in form (mock-oauth2-server's, shown for prompt=consent): sign in.
        answer =
            HTTP.send(
                HttpRequest.newBuilder(at).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("username=person&claims=")).build(),
                HttpResponse.BodyHandlers.ofString());
      } else {
        break;
      }
      keep(answer, cookies);
      statuses.add(answer.statusCode());
    }
    return new Visit(statuses, answer.body());
  }

  private static void keep(HttpResponse<?> r, Map<String, String> cookies) {
    for (String c : r.headers().allValues("Set-Cookie")) {
      String pair = c.split(";", 2)[0];
      int eq = pair.indexOf('=');
      if (eq > 0) {
        cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
  }

  private static String cookieHeader(Map<String, String> cookies) {
    StringBuilder b = new StringBuilder();
    cookies.forEach((k, v) -> b.append(b.isEmpty() ? "" : "; ").append(k).append('=').append(v));
    return b.toString();
  }

  private static String attribute(String tag, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE).matcher(tag);
    return m.find() ? m.group(1) : null;
  }

  private static String unescape(String html) {
    return html == null ? "" : html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  private static void add(StringBuilder form, String name, String value) {
    form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }
}
