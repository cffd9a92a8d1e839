package dev.plugboard.gateway;

import dev.plugboard.api.ApiException;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * MCP Streamable HTTP: a server must answer 403 to a request whose {@code Origin} is present and not
 * allowed, so that a web page (DNS rebinding included) cannot use the gateway through a visitor's
 * browser. Agents send no Origin; browser origins are allowed only when listed in {@code
 * plugboard.gateway.allowed-origins}. Runs before the API key is looked at.
 */
@Provider
@McpEndpoint
@Priority(Priorities.AUTHENTICATION - 100)
public class OriginFilter implements ContainerRequestFilter {

  // Looked up per request: providers are built before runtime configuration mappings exist.
  @Inject Instance<GatewayConfig> config;

  @Override
  public void filter(ContainerRequestContext request) {
    String origin = request.getHeaderString("Origin");
    if (origin != null && !allowed(origin, config.get().allowedOrigins().orElse(List.of()))) {
      throw new ApiException(403, "origin_not_allowed", "this MCP endpoint does not accept requests from a browser page of another origin");
    }
  }

  /** Whether {@code origin} is one of {@code allowed}, compared as scheme, host and port. */
  static boolean allowed(String origin, List<String> allowed) {
    String o = normalized(origin);
    return o != null && allowed.stream().map(OriginFilter::normalized).anyMatch(o::equals);
  }

  /** {@code scheme://host:port} in lower case with the scheme's default port made explicit; null when not an origin. */
  static String normalized(String origin) {
    try {
      URI u = new URI(origin.trim());
      String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null || u.getHost() == null || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))) {
        return null;
      }
      int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (Exception e) {
      return null;
    }
  }
}
