package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;

/**
 * The {@code /stepup/mcp} peer's scope rules, as a resource server enforces them (MCP authorization
 * spec, "Step-Up Authorization Flow"): a call of {@code write} needs {@code mcp:write} in the token's
 * {@code scope} claim, else 403 with an {@code insufficient_scope} challenge naming it; a call of
 * {@code admin} is always 403 without one (a plain refusal); a call of {@code stubborn} is always 403
 * {@code insufficient_scope} for {@code mcp:read}, a scope already granted (a server that keeps
 * refusing after consent); everything else passes.
 */
final class StepUpGate {

  static final String WRITE_SCOPE = "mcp:write";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StepUpGate() {}

  static void pass(HttpServletRequest r, HttpServletResponse out, FilterChain chain, String jwt) throws IOException, ServletException {
    byte[] body = r.getInputStream().readAllBytes();
    JsonNode message = body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
    String tool = "tools/call".equals(message.path("method").asText()) ? message.path("params").path("name").asText() : "";
    if (tool.equals("admin")) {
      out.sendError(403);
      return;
    }
    if (tool.equals("stubborn") || (tool.equals("write") && !scopes(jwt).contains(WRITE_SCOPE))) {
      String scope = tool.equals("stubborn") ? "mcp:read" : WRITE_SCOPE;
      out.setHeader(
          "WWW-Authenticate",
          "Bearer error=\"insufficient_scope\", scope=\"" + scope + "\", resource_metadata=\"" + OAuthPeers.mcpBase + "/.well-known/oauth-protected-resource/stepup/mcp\"");
      out.sendError(403);
      return;
    }
    chain.doFilter(new Replayed(r, body), out);
  }

  private static List<String> scopes(String jwt) {
    try {
      Object scope = SignedJWT.parse(jwt).getJWTClaimsSet().getClaim("scope");
      return scope == null ? List.of() : List.of(scope.toString().trim().split("\\s+"));
    } catch (ParseException e) {
      return List.of();
    }
  }

  /** The request with its body, already read, readable again. */
  private static final class Replayed extends HttpServletRequestWrapper {
    private final byte[] body;

    Replayed(HttpServletRequest r, byte[] body) {
      super(r);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body is already read");
        }

        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }
  }
}
