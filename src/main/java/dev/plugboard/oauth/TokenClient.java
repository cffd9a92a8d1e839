package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Token endpoint calls (RFC 6749 §4.1.3, §6) and revocation (RFC 7009), through the guarded client. */
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

  private final OAuthHttp http;

  TokenClient(OAuthHttp http) {
    this.http = http;
  }

  Result exchangeCode(
      String tokenEndpoint,
      String code,
      String redirectUri,
      String codeVerifier,
      String resource,
      String clientId,
      String clientSecret,
      String method) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", "authorization_code");
    p.put("code", code);
    p.put("redirect_uri", redirectUri);
    p.put("code_verifier", codeVerifier);
    p.put("resource", resource);
    return call(OAuthHttp.form(tokenEndpoint, p, clientId, clientSecret, method));
  }

  Result refresh(
      String tokenEndpoint, String refreshToken, String resource, String clientId, String clientSecret, String method) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", "refresh_token");
    p.put("refresh_token", refreshToken);
    p.put("resource", resource);
    return call(OAuthHttp.form(tokenEndpoint, p, clientId, clientSecret, method));
  }

  /** RFC 7009; true when the server answered 200. */
  boolean revoke(String endpoint, String token, String hint, String clientId, String clientSecret, String method)
      throws OutboundFailure {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("token", token);
    p.put("token_type_hint", hint);
    return http.sendOrThrow(OAuthHttp.form(endpoint, p, clientId, clientSecret, method)).status() == 200;
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
      String error = doc.map(d -> Discovery.text(d, "error")).map(e -> e.toLowerCase(Locale.ROOT)).orElse(null);
      if (error != null && !ERROR_CODE.matcher(error).matches()) {
        error = "invalid_request";
      }
      return new Result(null, new Failed(r.status() / 100 == 4 ? error : null, "token endpoint answered HTTP " + r.status()));
    }
    if (doc.isEmpty() || Discovery.text(doc.get(), "access_token") == null) {
      return new Result(null, new Failed(null, "token endpoint answered no access_token"));
    }
    JsonNode d = doc.get();
    String type = Optional.ofNullable(Discovery.text(d, "token_type")).orElse("Bearer");
    if (!type.equalsIgnoreCase("bearer")) {
      return new Result(null, new Failed(null, "token endpoint issued a " + type + " token; only Bearer is supported"));
    }
    JsonNode expiresIn = d.get("expires_in");
    Instant expiresAt = null;
    if (expiresIn != null && (expiresIn.isNumber() || expiresIn.isTextual())) {
      long seconds = expiresIn.asLong(-1);
      if (seconds >= 0) {
        expiresAt = Instant.now().plusSeconds(seconds);
      }
    }
    String scope = Discovery.text(d, "scope");
    return new Result(
        new Granted(
            Discovery.text(d, "access_token"),
            Discovery.text(d, "refresh_token"),
            "Bearer",
            expiresAt,
            scope == null ? null : List.of(scope.trim().split("\\s+"))),
        null);
  }
}
