package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Response;
import dev.plugboard.net.OutboundConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MCP authorization discovery in the spec's order (RESEARCH §2.2): the 401 challenge, RFC 9728
 * protected-resource metadata (path-aware, then root), then RFC 8414 / OIDC metadata of the
 * authorization server with the {@code issuer} and PKCE checks. Servers of the 2025-03-26 revision
 * publish no protected-resource metadata: there the MCP server's origin is the authorization server,
 * with its RFC 8414 metadata or, lacking that, the revision's default endpoints.
 */
@ApplicationScoped
class Discovery {

  static final String PROTOCOL_VERSION = "2025-06-18";
  private static final Pattern PARAM =
      Pattern.compile("([A-Za-z0-9_\\-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]*))");

  /** What the authorization server publishes that a client needs. */
  record AuthServer(
      String issuer,
      String authorizationEndpoint,
      String tokenEndpoint,
      String revocationEndpoint,
      String registrationEndpoint,
      boolean clientMetadataSupported,
      List<String> scopesSupported,
      List<String> tokenAuthMethods) {}

  /** The outcome for an MCP server: the resource to ask for, its authorization server, the scopes. */
  record McpAuth(String resource, AuthServer server, List<String> scopes) {}

  private final OAuthHttp http;
  private final OutboundConfig outbound;

  Discovery(OAuthHttp http, OutboundConfig outbound) {
    this.http = http;
    this.outbound = outbound;
  }

  /**
   * Empty when the server advertises no OAuth (no protected-resource metadata anywhere and, for a
   * 2025-03-26 server, no authorization server at its origin).
   */
  Optional<McpAuth> discover(String serverUrl) {
    URI server = URI.create(serverUrl);
    Challenge challenge = challenge(serverUrl);
    List<String> prmUrls = new ArrayList<>();
    if (challenge.resourceMetadata() != null) {
      prmUrls.add(server.resolve(challenge.resourceMetadata()).toString());
    }
    String path = server.getRawPath() == null ? "" : server.getRawPath();
    if (!path.isEmpty() && !path.equals("/")) {
      prmUrls.add(origin(server) + "/.well-known/oauth-protected-resource" + stripTrailingSlash(path));
    }
    prmUrls.add(origin(server) + "/.well-known/oauth-protected-resource");
    JsonNode prm = null;
    for (String url : new LinkedHashSet<>(prmUrls)) {
      Optional<JsonNode> doc = http.getJsonObject(url, "protected resource metadata");
      if (doc.isPresent() && !strings(doc.get().get("authorization_servers")).isEmpty()) {
        prm = doc.get();
        break;
      }
    }
    if (prm == null) {
      return challenge.bearer() ? legacy(server, challenge) : Optional.empty();
    }
    String resource = resourceFor(server, text(prm, "resource"));
    String issuer = strings(prm.get("authorization_servers")).get(0);
    AuthServer as = authServer(issuer);
    List<String> scopes = challenge.scopes().isEmpty() ? strings(prm.get("scopes_supported")) : challenge.scopes();
    return Optional.of(new McpAuth(resource, as, withOfflineAccess(scopes, as)));
  }

  /**
   * What a 401 said: {@code bearer} when it allows OAuth (a {@code Bearer} challenge, or no
   * challenge at all), with the challenge's parameters.
   */
  record Challenge(String resourceMetadata, String scope, boolean bearer, String error) {
    List<String> scopes() {
      return scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
    }
  }

  private static final Challenge NONE = new Challenge(null, null, false, null);

  /** The scopes plus {@code offline_access} when the authorization server offers it (for a refresh token). */
  private static List<String> withOfflineAccess(List<String> scopes, AuthServer as) {
    List<String> all = new ArrayList<>(scopes);
    if (as.scopesSupported().contains("offline_access") && !all.contains("offline_access")) {
      all.add("offline_access");
    }
    return List.copyOf(all);
  }

  /**
   * The 2025-03-26 revision: the authorization server is the MCP server's origin. Its metadata
   * (RFC 8414, or OIDC discovery) when published; otherwise the default paths {@code /authorize}, {@code /token} and
   * {@code /register}, used only when {@code /authorize} exists (a server that merely wants an API
   * key does not look like OAuth).
   */
  private Optional<McpAuth> legacy(URI server, Challenge challenge) {
    String origin = origin(server);
    List<String> scopes = challenge.scopes();
    Optional<AuthServer> published = published(origin);
    if (published.isPresent()) {
      return Optional.of(new McpAuth(canonical(server), published.get(), withOfflineAccess(scopes, published.get())));
    }
    int authorize = http.send(Request.get(origin + "/authorize", Map.of()), "MCP server").status();
    if (authorize == 404 || authorize == 405 || authorize == 501) {
      return Optional.empty();
    }
    AuthServer defaults =
        new AuthServer(
            origin, origin + "/authorize", origin + "/token", null, origin + "/register", false, List.of(),
            List.of("client_secret_basic", "client_secret_post", "none"));
    return Optional.of(new McpAuth(canonical(server), defaults, scopes));
  }

  /** POSTs {@code initialize} without a token; a 401 carries the challenge. */
  private Challenge challenge(String serverUrl) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json, text/event-stream");
    headers.put("MCP-Protocol-Version", PROTOCOL_VERSION);
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
            + PROTOCOL_VERSION
            + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"plugboard\",\"version\":\"1.0\"}}}";
    Response r = http.send(Request.post(serverUrl, headers, body), "MCP server");
    if (r.status() == 401) {
      for (String value : r.headers("www-authenticate")) {
        Challenge c = parseBearer(value);
        if (c != null) {
          return c;
        }
      }
      // A 401 without any challenge may still be OAuth (the 2025-03-26 revision requires none).
      return r.headers("www-authenticate").isEmpty() ? new Challenge(null, null, true, null) : NONE;
    }
    String session = r.header("mcp-session-id");
    if (session != null && r.status() / 100 == 2) {
      // The server opened a session for our probe; end it (servers may answer 405, that is fine).
      Map<String, String> end = new LinkedHashMap<>();
      end.put("Mcp-Session-Id", session);
      end.put("MCP-Protocol-Version", PROTOCOL_VERSION);
      try {
        http.send(new Request("DELETE", serverUrl, end, null), "MCP server");
      } catch (ApiException ignored) {
        // best effort
      }
    }
    return NONE;
  }

  /** Parameters of a {@code Bearer} challenge (RFC 6750 §3, RFC 9728 §5.1); null for other schemes. */
  static Challenge parseBearer(String header) {
    String h = header.trim();
    if (!h.regionMatches(true, 0, "Bearer", 0, 6)) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(h.substring(6));
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
      params.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), value);
    }
    return new Challenge(params.get("resource_metadata"), params.get("scope"), true, params.get("error"));
  }

  /**
   * The {@code resource} to request: the metadata's, which must be this server or a prefix of it
   * (same origin, path prefix), else the server URL itself (RFC 8707 canonical form).
   */
  static String resourceFor(URI server, String declared) {
    if (declared == null || declared.isBlank()) {
      return canonical(server);
    }
    URI res;
    try {
      res = URI.create(declared);
    } catch (IllegalArgumentException e) {
      throw ApiException.upstream("protected resource metadata has an invalid resource");
    }
    if (!covers(canonical(res), canonical(server))) {
      throw ApiException.upstream(
          "protected resource metadata is for " + declared + ", not for this MCP server");
    }
    return canonical(res);
  }

  /** True when {@code resource} is {@code target} or a path prefix of it on the same origin. */
  static boolean covers(String resource, String target) {
    URI r = URI.create(resource);
    URI t = URI.create(target);
    if (!origin(r).equals(origin(t))) {
      return false;
    }
    String rp = stripTrailingSlash(r.getRawPath() == null ? "" : r.getRawPath());
    String tp = stripTrailingSlash(t.getRawPath() == null ? "" : t.getRawPath());
    return tp.equals(rp) || rp.isEmpty() || tp.startsWith(rp + "/");
  }

  /** Lower-case scheme and host, default port dropped, no fragment, no trailing slash. */
  static String canonical(URI u) {
    String path = stripTrailingSlash(u.getRawPath() == null ? "" : u.getRawPath());
    String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
    return origin(u) + path + query;
  }

  static String origin(URI u) {
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
    String host = u.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + (defaultPort ? "" : ":" + port);
  }

  private static String stripTrailingSlash(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** Authorization server metadata (RFC 8414, then OIDC discovery), with issuer and PKCE checks. */
  AuthServer authServer(String issuer) {
    return published(issuer).orElseThrow(() -> ApiException.upstream("no authorization server metadata found for " + issuer));
  }

  /** As {@link #authServer}, but empty when the issuer publishes no metadata document at all. */
  private Optional<AuthServer> published(String issuer) {
    URI iss;
    try {
      iss = URI.create(issuer);
    } catch (IllegalArgumentException e) {
      throw ApiException.upstream("the authorization server issuer is not a URL");
    }
    if (iss.getScheme() == null || iss.getHost() == null) {
      throw ApiException.upstream("the authorization server issuer is not an absolute URL");
    }
    String base = origin(iss);
    String path = stripTrailingSlash(iss.getRawPath() == null ? "" : iss.getRawPath());
    List<String> candidates =
        path.isEmpty()
            ? List.of(base + "/.well-known/oauth-authorization-server", base + "/.well-known/openid-configuration")
            : List.of(
                base + "/.well-known/oauth-authorization-server" + path,
                base + "/.well-known/openid-configuration" + path,
                base + path + "/.well-known/openid-configuration");
    boolean mismatch = false;
    for (String url : candidates) {
      Optional<JsonNode> doc = http.getJsonObject(url, "authorization server metadata");
      if (doc.isEmpty()) {
        continue;
      }
      if (!sameIssuer(issuer, text(doc.get(), "issuer"))) {
        mismatch = true; // never use a document that speaks for another issuer
        continue;
      }
      return Optional.of(validated(issuer, doc.get()));
    }
    if (mismatch) {
      throw ApiException.upstream("the authorization server metadata names a different issuer than " + issuer);
    }
    return Optional.empty();
  }

  private AuthServer validated(String issuer, JsonNode doc) {
    if (!strings(doc.get("code_challenge_methods_supported")).contains("S256")) {
      throw ApiException.upstream("the authorization server does not support PKCE with S256");
    }
    String authorization = endpoint(doc, "authorization_endpoint", true);
    String token = endpoint(doc, "token_endpoint", true);
    return new AuthServer(
        issuer,
        authorization,
        token,
        endpoint(doc, "revocation_endpoint", false),
        endpoint(doc, "registration_endpoint", false),
        doc.path("client_id_metadata_document_supported").asBoolean(false),
        strings(doc.get("scopes_supported")),
        doc.has("token_endpoint_auth_methods_supported")
            ? strings(doc.get("token_endpoint_auth_methods_supported"))
            : List.of("client_secret_basic"));
  }

  /** Endpoints must be http(s) (https unless plain http is allowed): never javascript:, data: ... */
  private String endpoint(JsonNode doc, String field, boolean required) {
    String value = text(doc, field);
    if (value == null) {
      if (required) {
        throw ApiException.upstream("the authorization server metadata has no " + field);
      }
      return null;
    }
    try {
      URI u = URI.create(value);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (u.getHost() != null && (scheme.equals("https") || (scheme.equals("http") && outbound.allowHttp()))) {
        return value;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw ApiException.upstream("the authorization server metadata has an unusable " + field);
  }

  /** RFC 8414 §3.3: identical, tolerating one trailing slash. */
  static boolean sameIssuer(String expected, String actual) {
    return actual != null && stripTrailingSlash(expected).equals(stripTrailingSlash(actual));
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(
          n -> {
            if (n.isTextual() && !n.asText().isBlank()) {
              out.add(n.asText());
            }
          });
    }
    return out;
  }
}
