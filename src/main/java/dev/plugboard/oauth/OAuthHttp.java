package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.api.ApiException;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Response;
import dev.plugboard.net.OutboundFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OAuth requests to servers found from a user-supplied MCP URL leave through the guarded client
 * (DESIGN §8): discovery documents, registration and token endpoints all come from metadata a remote
 * server controls. Only the native providers' token calls, whose endpoints are operator
 * configuration, use {@code quarkus-oidc-client} instead ({@link NativeTokenClient}).
 */
@ApplicationScoped
class OAuthHttp {

  static final String FORM = "application/x-www-form-urlencoded";

  private final GuardedHttp http;
  private final ObjectMapper mapper;

  OAuthHttp(GuardedHttp http, ObjectMapper mapper) {
    this.http = http;
    this.mapper = mapper;
  }

  /** Sends a request; failures to get any answer become 502/504, refused URLs stay 400. */
  Response send(Request request, String what) {
    try {
      return http.exchange(request);
    } catch (OutboundFailure f) {
      throw failure(f, what);
    }
  }

  /** Like {@link #send} but keeps the failure for callers that must not fail the request. */
  Response sendOrThrow(Request request) throws OutboundFailure {
    return http.exchange(request);
  }

  static ApiException failure(OutboundFailure f, String what) {
    return f.kind() == OutboundFailure.Kind.TIMEOUT
        ? ApiException.upstreamTimeout(what + ": " + f.getMessage())
        : ApiException.upstream(what + ": " + f.getMessage());
  }

  /** GETs a JSON object; empty when the answer is not a 200 JSON object. */
  Optional<JsonNode> getJsonObject(String url, String what) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    headers.put("MCP-Protocol-Version", Discovery.PROTOCOL_VERSION);
    Response r = send(Request.get(url, headers), what);
    if (r.status() != 200) {
      return Optional.empty();
    }
    return parseObject(r.body());
  }

  Optional<JsonNode> parseObject(byte[] body) {
    try {
      JsonNode n = mapper.readTree(body);
      return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** A form POST with client authentication by {@code method} (RFC 6749 §2.3, RFC 7591 names). */
  static Request form(
      String url, Map<String, String> params, String clientId, String clientSecret, String method) {
    Map<String, String> body = new LinkedHashMap<>(params);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", FORM);
    headers.put("Accept", "application/json");
    if ("client_secret_basic".equals(method) && clientSecret != null) {
      String pair = urlencode(clientId) + ":" + urlencode(clientSecret);
      headers.put(
          "Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    } else {
      body.put("client_id", clientId);
      if (clientSecret != null && !"none".equals(method)) {
        body.put("client_secret", clientSecret);
      }
    }
    StringBuilder sb = new StringBuilder();
    body.forEach(
        (k, v) -> {
          if (v != null) {
            if (!sb.isEmpty()) {
              sb.append('&');
            }
            sb.append(urlencode(k)).append('=').append(urlencode(v));
          }
        });
    return Request.post(url, headers, sb.toString());
  }

  static String urlencode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
