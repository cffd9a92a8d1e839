package dev.plugboard.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plugboard.support.LoopbackJetty;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * Real peers on 127.0.0.1 for the OAuth tests:
 *
 * <p>The mock parses every authorization request as OpenID Connect, so the MCP servers ask for
 * {@code openid} among their scopes.
 *
 * <ul>
 *   <li>mock-oauth2-server (rotating refresh tokens) as authorization server. Each issuer id is a
 *       differently configured server: {@code dcr} (registration endpoint), {@code cimd} (client
 *       metadata documents), {@code nodcr} (neither), {@code nos256} (no PKCE S256), {@code wrongiss}
 *       (metadata for another issuer). The mock has no registration endpoint and no RFC 8414
 *       path-insertion metadata, so two extra routes add exactly those.
 *   <li>WireMock proxying the native providers' ({@code gmail}, {@code acme}) token and revocation
 *       endpoints to the mock, to count and read requests and to play an authorization server that
 *       revoked a grant.
 *   <li>MCP Java SDK servers on Jetty behind a bearer check that verifies the mock's JWTs, with RFC
 *       9728 protected-resource metadata, except {@code legacy} (2025-03-26: none, and RFC 8414
 *       metadata at the origin instead).
 * </ul>
 */
public class OAuthPeers implements QuarkusTestResourceLifecycleManager {

  static final String CLIENT_ID = "gmail-client";
  static final String CLIENT_SECRET = "gmail-secret";
  /** A second native provider, authenticating with HTTP Basic at its endpoints (issuer id {@code acme}). */
  static final String ACME_CLIENT_ID = "acme-client";
  static final String ACME_CLIENT_SECRET = "acme-secret";
  static final Set<String> WITH_REGISTRATION = Set.of("dcr", "nos256", "wrongiss");

  static volatile MockOAuth2Server mock;
  static volatile WireMockServer wiremock;
  static volatile String asBase;
  static volatile String mcpBase;
  static final List<JsonNode> registrations = new CopyOnWriteArrayList<>();

  private static final ObjectMapper JSON = new ObjectMapper();
  private LoopbackJetty jetty;
  private final List<McpSyncServer> servers = new ArrayList<>();
  private final Map<String, JWKSet> jwks = new ConcurrentHashMap<>();

  @Override
  public Map<String, String> start() {
    try {
      mock = new MockOAuth2Server(new OAuth2Config(false, null, null, true), new MetadataRoute(), new RegistrationRoute());
      mock.start(InetAddress.getByName("127.0.0.1"), 0);
      asBase = "http://127.0.0.1:" + mock.baseUrl().port();
      wiremock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
      wiremock.start();
      wiremock.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(asBase)));
      startMcp();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    String proxied = "http://127.0.0.1:" + wiremock.port() + "/default";
    return Map.ofEntries(
        // https so that client metadata documents are usable; the tests play the browser, nothing connects here
        Map.entry("plugboard.public-base-url", "https://localhost"),
        Map.entry("plugboard.frontend-base-url", "http://localhost:3000"),
        Map.entry("plugboard.oauth.allowed-return-hosts", "app.localhost"),
        Map.entry("plugboard.oauth.providers.gmail.client-id", CLIENT_ID),
        Map.entry("plugboard.oauth.providers.gmail.client-secret", CLIENT_SECRET),
        Map.entry("plugboard.oauth.providers.gmail.authorization-endpoint", asBase + "/default/authorize"),
        Map.entry("plugboard.oauth.providers.gmail.token-endpoint", proxied + "/token"),
        Map.entry("plugboard.oauth.providers.gmail.revocation-endpoint", proxied + "/revoke"),
        Map.entry("plugboard.oauth.providers.gmail.issuer", asBase + "/default"),
        Map.entry("plugboard.oauth.providers.acme.client-id", ACME_CLIENT_ID),
        Map.entry("plugboard.oauth.providers.acme.client-secret", ACME_CLIENT_SECRET),
        Map.entry("plugboard.oauth.providers.acme.token-auth-method", "client_secret_basic"),
        Map.entry("plugboard.oauth.providers.acme.authorization-endpoint", asBase + "/acme/authorize"),
        Map.entry("plugboard.oauth.providers.acme.token-endpoint", "http://127.0.0.1:" + wiremock.port() + "/acme/token"),
        Map.entry("plugboard.oauth.providers.acme.revocation-endpoint", "http://127.0.0.1:" + wiremock.port() + "/acme/revoke"),
        Map.entry("plugboard.oauth.providers.acme.issuer", asBase + "/acme"),
        Map.entry("plugboard.oauth.providers.acme.scopes", "openid"));
  }

  @Override
  public void stop() {
    try {
      for (McpSyncServer s : servers) {
        s.close();
      }
      if (jetty != null) {
        jetty.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (wiremock != null) {
        wiremock.stop();
      }
      if (mock != null) {
        mock.shutdown();
      }
    }
  }

  /** Which authorization server protects each MCP path prefix. */
  static String issuerIdFor(String mcpId) {
    return switch (mcpId) {
      case "noheader", "badres", "stepup" -> "dcr";
      default -> mcpId;
    };
  }

  private void startMcp() throws Exception {
    jetty = new LoopbackJetty();
    ServletContextHandler ctx = jetty.context();
    for (String id : List.of("dcr", "cimd", "noheader", "open", "legacy", "stepup")) {
      ServletHolder h = new ServletHolder(mcpTransport("/" + id + "/mcp"));
      h.setAsyncSupported(true);
      ctx.addServlet(h, "/" + id + "/mcp");
    }
    ctx.addServlet(new ServletHolder(new ResourceMetadataServlet()), "/.well-known/oauth-protected-resource/*");
    ctx.addServlet(new ServletHolder(new OriginMetadataServlet()), "/.well-known/oauth-authorization-server");
    Filter bearer = (req, res, chain) -> {
      HttpServletRequest r = (HttpServletRequest) req;
      String path = r.getRequestURI();
      String[] segments = path.split("/");
      String id = segments.length > 1 ? segments[1] : "";
      HttpServletResponse out = (HttpServletResponse) res;
      if (id.equals("stepup") && verified(r.getHeader("Authorization"), issuerIdFor(id))) {
        StepUpGate.pass(r, out, chain, r.getHeader("Authorization").substring(7));
        return;
      }
      if (id.equals("open") || id.equals(".well-known") || verified(r.getHeader("Authorization"), issuerIdFor(id))) {
        chain.doFilter(req, res);
        return;
      }
      if (id.equals("legacy")) { // no resource_metadata; the mock insists on openid
        out.setHeader("WWW-Authenticate", "Bearer realm=\"mcp\", scope=\"openid\"");
      } else if (!id.equals("noheader")) {
        out.setHeader(
            "WWW-Authenticate",
            "Bearer error=\"invalid_token\", resource_metadata=\"" + mcpBase + "/.well-known/oauth-protected-resource/" + id + "/mcp\", scope=\"openid mcp:read\"");
      } else {
        out.setHeader("WWW-Authenticate", "Bearer");
      }
      out.sendError(401);
    };
    ctx.addFilter(new FilterHolder(bearer), "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.start();
    mcpBase = jetty.base();
  }

  private HttpServletStreamableServerTransportProvider mcpTransport(String endpoint) {
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    var transport = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint(endpoint).build();
    servers.add(
        McpServer.sync(transport)
            .jsonMapper(json)
            .serverInfo("oauth-peer", "1.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(ok(json, "whoami", "Who is calling"), ok(json, "write", "Writes (needs mcp:write on /stepup)"), ok(json, "admin", "Refused on /stepup"), ok(json, "stubborn", "Refused for a granted scope on /stepup"))
            .build());
    return transport;
  }

  private static McpServerFeatures.SyncToolSpecification ok(McpJsonMapper json, String name, String description) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(json, "{\"type\":\"object\"}").build())
        .callHandler((exchange, req) -> McpSchema.CallToolResult.builder().addTextContent(name + ": ok").build())
        .build();
  }

  /** A JWT signed by the mock for this issuer id, not expired. */
  private boolean verified(String authorization, String issuerId) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(authorization.substring(7));
      JWKSet set = jwks.computeIfAbsent(issuerId, i -> load(asBase + "/" + i + "/jwks"));
      boolean signed = jwt.verify(new RSASSAVerifier(set.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey()));
      return signed
          && (asBase + "/" + issuerId).equals(jwt.getJWTClaimsSet().getIssuer())
          && jwt.getJWTClaimsSet().getExpirationTime().getTime() > System.currentTimeMillis();
    } catch (Exception e) {
      return false;
    }
  }

  private static JWKSet load(String url) {
    try {
      return JWKSet.load(URI.create(url).toURL());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 9728 documents for /{id}/mcp. */
  static final class ResourceMetadataServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String rest = req.getPathInfo() == null ? "" : req.getPathInfo(); // "/dcr/mcp"
      String[] parts = rest.split("/");
      if (parts.length != 3 || !parts[2].equals("mcp")) {
        res.sendError(404);
        return;
      }
      String id = parts[1];
      if (id.equals("open") || id.equals("legacy")) {
        res.sendError(404);
        return;
      }
      ObjectNode doc = JSON.createObjectNode();
      doc.put("resource", id.equals("badres") ? mcpBase + "/other/mcp" : mcpBase + "/" + id + "/mcp");
      doc.putArray("authorization_servers").add(asBase + "/" + issuerIdFor(id));
      doc.putArray("scopes_supported").add("openid").add("mcp:read").add("mcp:write");
      res.setContentType("application/json");
      res.getWriter().write(doc.toString());
    }
  }

  /**
   * RFC 8414 metadata at the MCP servers' origin, as a 2025-03-26 server publishes it for itself
   * (issuer = the origin); its endpoints are the mock's issuer {@code legacy}.
   */
  static final class OriginMetadataServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String as = asBase + "/legacy";
      ObjectNode doc = JSON.createObjectNode();
      doc.put("issuer", mcpBase);
      doc.put("authorization_endpoint", as + "/authorize");
      doc.put("token_endpoint", as + "/token");
      doc.put("registration_endpoint", as + "/register");
      doc.putArray("code_challenge_methods_supported").add("S256");
      doc.putArray("scopes_supported").add("offline_access");
      doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("none");
      doc.putArray("response_types_supported").add("code");
      res.setContentType("application/json");
      res.getWriter().write(doc.toString());
    }
  }

  /** RFC 8414 metadata (path insertion) per issuer id, shaped to each test case. */
  static final class MetadataRoute implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      String p = request.getUrl().encodedPath();
      return p.startsWith("/.well-known/oauth-authorization-server/") || p.equals("/wrongiss/.well-known/openid-configuration");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      String p = request.getUrl().encodedPath();
      String id = p.startsWith("/wrongiss/") ? "wrongiss" : p.substring("/.well-known/oauth-authorization-server/".length());
      String issuer = asBase + "/" + id;
      ObjectNode doc = JSON.createObjectNode();
      doc.put("issuer", id.equals("wrongiss") ? asBase + "/someone-else" : issuer);
      doc.put("authorization_endpoint", issuer + "/authorize");
      doc.put("token_endpoint", issuer + "/token");
      doc.put("revocation_endpoint", issuer + "/revoke");
      doc.put("jwks_uri", issuer + "/jwks");
      if (WITH_REGISTRATION.contains(id)) {
        doc.put("registration_endpoint", issuer + "/register");
      }
      if (id.equals("cimd")) {
        doc.put("client_id_metadata_document_supported", true);
      }
      doc.putArray("code_challenge_methods_supported").add("plain");
      if (!id.equals("nos256")) {
        doc.withArray("code_challenge_methods_supported").add("S256");
      }
      doc.putArray("scopes_supported").add("openid").add("offline_access").add("mcp:read");
      doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("none");
      doc.putArray("response_types_supported").add("code");
      return json(200, doc.toString());
    }
  }

  /** RFC 7591 registration: the mock accepts any client id, so registering is handing one out. */
  static final class RegistrationRoute implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      return request.getMethod().equals("POST") && request.getUrl().encodedPath().endsWith("/register");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      try {
        JsonNode body = JSON.readTree(request.getBody());
        registrations.add(body);
        ObjectNode out = ((ObjectNode) body.deepCopy());
        out.put("client_id", "dyn-" + UUID.randomUUID());
        out.put("client_secret", "dyn-secret-" + UUID.randomUUID());
        out.put("client_id_issued_at", System.currentTimeMillis() / 1000);
        out.put("client_secret_expires_at", 0);
        return json(201, out.toString());
      } catch (IOException e) {
        return json(400, "{\"error\":\"invalid_client_metadata\"}");
      }
    }
  }

  private static OAuth2HttpResponse json(int status, String body) {
    return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), status, body, null);
  }
}
