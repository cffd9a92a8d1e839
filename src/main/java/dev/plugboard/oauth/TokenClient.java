package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Response;
import dev.plugboard.net.OutboundFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Token endpoint calls (RFC 6749 §4.1.3, §6) and revocation (RFC 7009), the one place that picks the
 * HTTP client (DESIGN §1): a native provider's calls go through its {@code quarkus-oidc-client}
 * {@link NativeTokenClient}, because its endpoints are trusted operator configuration; an
 * authorization server discovered from a user-supplied MCP URL stays on the guarded client, because
 * the SSRF policy (DESIGN §8) must hold for it and the OIDC client's HTTP stack does not enforce it.
 * Both return the same {@link Result}, so nothing above this class knows which client made a call.
 */
@ApplicationScoped
class TokenClient {

  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9_]{1,64}");

  /** What a token endpoint granted. {@code refreshToken}, {@code expiresAt}, {@code scopes} may be null. */
  record Granted(String accessToken, String refreshToken, String tokenType, Instant expiresAt, List<String> scopes) {
    @Override
    public String toString() {
      return "Granted[expiresAt=" + expiresAt + ", scopes=" + scopes + "]";
    }
  }

  /**
   * A token request that failed. {@code oauthError} is the endpoint's {@code error} code (sanitized)
   * or null when there was no OAuth error answer (network, 5xx, garbage).
   */
  record Failed(String oauthError, String detail) {
    boolean invalidGrant() {
      return "invalid_grant".equals(oauthError);
    }
  }

  /** Either granted or failed. */
  record Result(Granted granted, Failed failed) {}

  /**
   * The authorization server a call goes to: a native provider by its slug (its endpoints and client
   * come from configuration), or a discovered server by its endpoints and Plugboard's client there.
   */
  record Server(
      String nativeProvider,
      String tokenEndpoint,
      String revocationEndpoint,
      String clientId,
      String clientSecret,
      String authMethod) {

    static Server nativeProvider(String slug) {
      return new Server(slug, null, null, null, null, null);
    }

    /** The server a flow's code is exchanged at. */
    static Server of(OAuthFlow f, String clientSecret) {
      return OAuthFlow.NATIVE.equals(f.kind)
          ? nativeProvider(f.provider)
          : new Server(null, f.tokenEndpoint, f.revocationEndpoint, f.clientId, clientSecret, f.tokenAuthMethod);
    }

    /** The server that issued a connection's tokens ({@code provider} and {@code oauthProvider} of the connection). */
    static Server of(String provider, String oauthProvider, Tokens t) {
      return "native".equals(provider)
          ? nativeProvider(oauthProvider)
          : new Server(
              null,
              t.tokenEndpoint(),
              t.revocationEndpoint(),
              t.clientId(),
              t.clientSecret(),
              ClientIdentity.methodFor(t.clientId(), t.clientSecret()));
    }

    @Override
    public String toString() {
      return nativeProvider != null ? "Server[native " + nativeProvider + "]" : "Server[" + tokenEndpoint + "]";
    }
  }

  private final OAuthHttp http;
  private final NativeTokenClient nativeClient;

  TokenClient(OAuthHttp http, NativeTokenClient nativeClient) {
    this.http = http;
    this.nativeClient = nativeClient;
  }

  Result exchangeCode(Server s, String code, String redirectUri, String codeVerifier, String resource) {
    if (s.nativeProvider() != null) {
      return nativeClient.exchangeCode(s.nativeProvider(), code, redirectUri, codeVerifier);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", "authorization_code");
    p.put("code", code);
    p.put("redirect_uri", redirectUri);
    p.put("code_verifier", codeVerifier);
    p.put("resource", resource);
    return call(OAuthHttp.form(s.tokenEndpoint(), p, s.clientId(), s.clientSecret(), s.authMethod()));
  }

  Result refresh(Server s, String refreshToken, String resource) {
    if (s.nativeProvider() != null) {
      return nativeClient.refresh(s.nativeProvider(), refreshToken);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", "refresh_token");
    p.put("refresh_token", refreshToken);
    p.put("resource", resource);
    return call(OAuthHttp.form(s.tokenEndpoint(), p, s.clientId(), s.clientSecret(), s.authMethod()));
  }

  /** Whether the server has a revocation endpoint. */
  boolean revocable(Server s) {
    return s.nativeProvider() != null ? nativeClient.revocable(s.nativeProvider()) : s.revocationEndpoint() != null;
  }

  /** RFC 7009; true when the server answered 200. */
  /** RFC 7009 with a {@code token_type_hint}: the server's HTTP status. */
  int revoke(Server s, String token, String hint) throws OutboundFailure {
    if (s.nativeProvider() != null) {
      return nativeClient.revoke(s.nativeProvider(), token, hint);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("token", token);
    p.put("token_type_hint", hint);
    return http.sendOrThrow(OAuthHttp.form(s.revocationEndpoint(), p, s.clientId(), s.clientSecret(), s.authMethod())).status();
  }

  /** A token endpoint's answer other than 200: its OAuth {@code error} code counts only in a 4xx answer. */
  static Result refused(int status, Optional<JsonNode> doc) {
    String error = doc.map(d -> Discovery.text(d, "error")).map(e -> e.toLowerCase(Locale.ROOT)).orElse(null);
    if (error != null && !ERROR_CODE.matcher(error).matches()) {
      error = "invalid_request";
    }
    return new Result(null, new Failed(status / 100 == 4 ? error : null, "token endpoint answered HTTP " + status));
  }

  /** A 200 answer: Bearer tokens only; {@code expiresAt} as the caller computed it. */
  static Result granted(String accessToken, String refreshToken, String tokenType, Instant expiresAt, String scope) {
    if (accessToken == null) {
      return new Result(null, new Failed(null, "token endpoint answered no access_token"));
    }
    String type = Optional.ofNullable(tokenType).orElse("Bearer");
    if (!type.equalsIgnoreCase("bearer")) {
      return new Result(null, new Failed(null, "token endpoint issued a " + type + " token; only Bearer is supported"));
    }
    return new Result(
        new Granted(accessToken, refreshToken, "Bearer", expiresAt, scope == null ? null : List.of(scope.trim().split("\\s+"))),
        null);
  }

  private Result call(Request request) {
    Response r;
    try {
      r = http.sendOrThrow(request);
    } catch (OutboundFailure f) {
      return new Result(null, new Failed(null, "token endpoint: " + f.getMessage()));
    }
    Optional<JsonNode> doc = http.parseObject(r.body());
    if (r.status() != 200) {
      return refused(r.status(), doc);
    }
    if (doc.isEmpty()) {
      return new Result(null, new Failed(null, "token endpoint answered no access_token"));
    }
    JsonNode d = doc.get();
    JsonNode expiresIn = d.get("expires_in");
    Instant expiresAt = null;
    if (expiresIn != null && (expiresIn.isNumber() || expiresIn.isTextual())) {
      long seconds = expiresIn.asLong(-1);
      if (seconds >= 0) {
        expiresAt = Instant.now().plusSeconds(seconds);
      }
    }
    return granted(
        Discovery.text(d, "access_token"),
        Discovery.text(d, "refresh_token"),
        Discovery.text(d, "token_type"),
        expiresAt,
        Discovery.text(d, "scope"));
  }
}
