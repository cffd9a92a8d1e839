package dev.plugboard.oauth;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** Native OAuth providers from {@code plugboard.oauth.providers.<slug>.*} (DESIGN §6). */
@ApplicationScoped
class NativeProviders {

  private static final Logger LOG = Logger.getLogger(NativeProviders.class);
  private static final Set<String> AUTH_METHODS = Set.of("client_secret_post", "client_secret_basic");
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /**
   * A configured provider: has a client id and both endpoints. {@code tokenAuthMethod} is {@code none}
   * without a client secret, else {@code client_secret_post} or {@code client_secret_basic}.
   */
  record NativeProvider(
      String slug,
      String displayName,
      String clientId,
      String clientSecret,
      String authorizationEndpoint,
      String tokenEndpoint,
      String revocationEndpoint,
      String tokenAuthMethod,
      String issuer,
      List<String> scopes,
      Map<String, String> extraParams) {

    @Override
    public String toString() {
      return "NativeProvider[" + slug + "]";
    }
  }

  private final OAuthConfig config;

  NativeProviders(OAuthConfig config) {
    this.config = config;
  }

  Optional<NativeProvider> find(String slug) {
    if (slug == null || !SLUG.matcher(slug).matches()) {
      return Optional.empty();
    }
    OAuthConfig.Provider p = config.providers().get(slug);
    if (p == null
        || p.clientId().filter(s -> !s.isBlank()).isEmpty()
        || p.authorizationEndpoint().isEmpty()
        || p.tokenEndpoint().isEmpty()) {
      return Optional.empty();
    }
    String secret = p.clientSecret().filter(s -> !s.isBlank()).orElse(null);
    String method = secret == null ? "none" : p.tokenAuthMethod().orElse("client_secret_post");
    if (!method.equals("none") && !AUTH_METHODS.contains(method)) {
      LOG.warnf("OAuth provider %s is not configured: token-auth-method must be one of %s", slug, AUTH_METHODS);
      return Optional.empty();
    }
    List<String> scopes = new ArrayList<>();
    p.scopes().orElse(List.of()).forEach(s -> scopes.addAll(List.of(s.trim().split("\\s+"))));
    scopes.removeIf(String::isEmpty);
    return Optional.of(
        new NativeProvider(
            slug,
            p.displayName().orElse(slug),
            p.clientId().get(),
            secret,
            p.authorizationEndpoint().get(),
            p.tokenEndpoint().get(),
            p.revocationEndpoint().orElse(null),
            method,
            p.issuer().orElse(null),
            List.copyOf(scopes),
            parseParams(p.extraParams().orElse(""))));
  }

  /** {@code a=b&c=d} (values may be URL-encoded). */
  static Map<String, String> parseParams(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : spec.split("&")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          java.net.URLDecoder.decode(k.trim(), java.nio.charset.StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(v.trim(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }
}
