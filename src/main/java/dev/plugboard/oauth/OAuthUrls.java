package dev.plugboard.oauth;

import dev.plugboard.api.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Plugboard's own OAuth URLs (one redirect URI for every flow, the client metadata document) and the
 * {@code return_url} rules that keep the callback from becoming an open redirect (DESIGN §6).
 */
@ApplicationScoped
public class OAuthUrls {

  static final String CALLBACK_PATH = "/v1/connections/oauth/callback";
  static final String CLIENT_METADATA_PATH = "/oauth/client-metadata.json";

  private final String publicBaseUrl;
  private final Optional<String> frontendBaseUrl;
  private final List<String> allowedReturnHosts;

  public OAuthUrls(
      @ConfigProperty(name = "plugboard.public-base-url") String publicBaseUrl,
      @ConfigProperty(name = "plugboard.frontend-base-url") Optional<String> frontendBaseUrl,
      OAuthConfig config) {
    this.publicBaseUrl = stripSlash(publicBaseUrl);
    this.frontendBaseUrl = frontendBaseUrl.filter(s -> !s.isBlank()).map(OAuthUrls::stripSlash);
    this.allowedReturnHosts =
        config.allowedReturnHosts().orElse(List.of()).stream()
            .map(h -> h.trim().toLowerCase(Locale.ROOT))
            .filter(h -> !h.isEmpty())
            .toList();
  }

  public String callback() {
    return publicBaseUrl + CALLBACK_PATH;
  }

  public String clientMetadataUrl() {
    return publicBaseUrl + CLIENT_METADATA_PATH;
  }

  /** A Client ID Metadata Document must be fetchable over https at its own URL. */
  public boolean clientMetadataUsable() {
    return publicBaseUrl.toLowerCase(Locale.ROOT).startsWith("https://");
  }

  public String publicBaseUrl() {
    return publicBaseUrl;
  }

  /**
   * Where the callback sends the browser: an absolute http(s) URL on an allowed host, or a single-slash
   * path resolved against the frontend; without one, the frontend itself (or empty: an HTML page).
   */
  public Optional<String> returnUrl(String given) {
    if (given == null) {
      return frontendBaseUrl;
    }
    for (int i = 0; i < given.length(); i++) {
      char c = given.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw invalid("must not contain control characters or backslashes");
      }
    }
    if (given.length() > 2048) {
      throw invalid("at most 2048 characters");
    }
    if (given.startsWith("/")) {
      if (given.startsWith("//")) {
        throw invalid("a path must start with a single '/'");
      }
      String base =
          frontendBaseUrl.orElseThrow(
              () -> invalid("a path needs PLUGBOARD_FRONTEND_BASE_URL; give an absolute URL on an allowed host"));
      return Optional.of(base + given);
    }
    URI uri;
    try {
      uri = new URI(given);
    } catch (Exception e) {
      throw invalid("must be an absolute http(s) URL or a path starting with '/'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw invalid("must be an absolute http(s) URL or a path starting with '/'");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    boolean allowed =
        allowedReturnHosts.contains(host)
            || frontendBaseUrl.map(f -> host.equals(hostOf(f))).orElse(false);
    if (!allowed) {
      throw invalid("host '" + host + "' is not in PLUGBOARD_OAUTH_ALLOWED_RETURN_HOSTS");
    }
    return Optional.of(given);
  }

  private static String hostOf(String url) {
    try {
      String h = new URI(url).getHost();
      return h == null ? "" : h.toLowerCase(Locale.ROOT);
    } catch (Exception e) {
      return "";
    }
  }

  private static ApiException invalid(String problem) {
    return ApiException.validation("return_url", problem);
  }

  private static String stripSlash(String s) {
    String t = s.trim();
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
