package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * Upstream MCP servers on 127.0.0.1 for the gateway tests: MCP Java SDK servers (open, behind a
 * secret header, behind bearer tokens issued by mock-oauth2-server) and two broken ones written by
 * hand (one dies in the middle of its event stream, one streams junk).
 */
final class GatewayPeers implements AutoCloseable {

  static final String SECRET = "hdr-secret-value-7f3a9c";
  static final ObjectMapper JSON = new ObjectMapper();

  /** A request as the upstream saw it. */
  record Seen(String method, String path, String authorization, String secretHeader, String sessionId, String body) {}

  final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
  final MockOAuth2Server oauth = new MockOAuth2Server();
  private final LoopbackJetty jetty = new LoopbackJetty();
  private final List<McpSyncServer> servers = new ArrayList<>();
  private volatile JWKSet jwks;

  GatewayPeers() throws Exception {
    oauth.start(InetAddress.getByName("127.0.0.1"), 0);
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    ServletContextHandler ctx = jetty.context();

    Filter record =
        (req, res, chain) -> {
          HttpServletRequest r = (HttpServletRequest) req;
          seen.add(new Seen(r.getMethod(), r.getRequestURI(), r.getHeader("Authorization"), r.getHeader("X-Secret"), r.getHeader("Mcp-Session-Id"), null));
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(record), "/*", EnumSet.of(DispatcherType.REQUEST));
    for (String id : List.of("open", "hdr", "oauth")) {
      serve(ctx, json, id, echo(json), add(json));
    }
    serve(ctx, json, "words", lookup(json), longName(json)); // other tools than the rest, for the aggregate endpoint
    Filter secretHeader =
        (req, res, chain) -> {
          if (!SECRET.equals(((HttpServletRequest) req).getHeader("X-Secret"))) {
            ((HttpServletResponse) res).sendError(401);
            return;
          }
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(secretHeader), "/hdr/*", EnumSet.of(DispatcherType.REQUEST));
    Filter bearer =
        (req, res, chain) -> {
          if (!issuedByMock(((HttpServletRequest) req).getHeader("Authorization"))) {
            HttpServletResponse out = (HttpServletResponse) res;
            out.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            out.sendError(401);
            return;
          }
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(bearer), "/oauth/*", EnumSet.of(DispatcherType.REQUEST));
    ctx.addServlet(new ServletHolder(new Broken(true)), "/dies");
    ctx.addServlet(new ServletHolder(new Broken(false)), "/junk");
    ctx.addServlet(new ServletHolder(new RevokedGrant()), "/revoked/token");
    ctx.addServlet(new ServletHolder(new RefreshRefused()), "/refresh-refused/token");
    jetty.start();
  }

  private void serve(ServletContextHandler ctx, McpJsonMapper json, String id, McpServerFeatures.SyncToolSpecification... tools) {
    var transport = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint("/" + id + "/mcp").build();
    servers.add(
        McpServer.sync(transport)
            .jsonMapper(json)
            .serverInfo("upstream-" + id, "1.0")
            .instructions("Tools for the gateway tests")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(tools)
            .build());
    ServletHolder holder = new ServletHolder(transport);
    holder.setAsyncSupported(true);
    ctx.addServlet(holder, "/" + id + "/mcp");
  }

  String base() {
    return jetty.base();
  }

  String tokenEndpoint() {
    return oauth.tokenEndpointUrl("default").toString();
  }

  @Override
  public void close() throws Exception {
    for (McpSyncServer s : servers) {
      s.close();
    }
    jetty.close();
    oauth.shutdown();
  }

  private boolean issuedByMock(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(authorization.substring(7));
      if (jwks == null) {
        jwks = JWKSet.load(URI.create(oauth.jwksUrl("default").toString()).toURL());
      }
      return jwt.verify(new RSASSAVerifier(jwks.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey()));
    } catch (Exception e) {
      return false;
    }
  }

  /** A tool whose text answer {@code answer} makes from the arguments. */
  private static McpServerFeatures.SyncToolSpecification tool(
      McpJsonMapper json, String name, String description, String schema, Function<Map<String, Object>, String> answer) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(json, schema).build())
        .callHandler((exchange, req) -> McpSchema.CallToolResult.builder().addTextContent(answer.apply(req.arguments())).build())
        .build();
  }

  private static McpServerFeatures.SyncToolSpecification echo(McpJsonMapper json) {
    return tool(json, "echo", "Echo the text back", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}", args -> "echo: " + args.get("text"));
  }

  private static McpServerFeatures.SyncToolSpecification lookup(McpJsonMapper json) {
    return tool(json, "lookup", "Look a word up", "{\"type\":\"object\",\"properties\":{\"word\":{\"type\":\"string\"}},\"required\":[\"word\"]}", args -> "found " + args.get("word") + " in words");
  }

  /** A tool whose name is valid (122 characters) but over MCP's 128 once prefixed {@code words__} on /mcp/v1. */
  static final String LONG_NAME = "lookup_" + "x".repeat(115);

  private static McpServerFeatures.SyncToolSpecification longName(McpJsonMapper json) {
    return tool(json, LONG_NAME, "A tool with a long name", "{\"type\":\"object\"}", args -> "long");
  }

  private static McpServerFeatures.SyncToolSpecification add(McpJsonMapper json) {
    return tool(
        json,
        "add",
        "Add two numbers",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}}",
        args -> String.valueOf(((Number) args.get("a")).doubleValue() + ((Number) args.get("b")).doubleValue()));
  }

  /** The token endpoint of an authorization server that has revoked every grant (RFC 6749 §5.2). */
  String revokedTokenEndpoint() {
    return base() + "/revoked/token";
  }

  /**
   * A native provider's token endpoint whose grants were revoked: a refresh gets {@code invalid_grant},
   * an authorization code (a person consenting again) goes on to the mock and gets its tokens.
   */
  String refreshRefusedTokenEndpoint() {
    return base() + "/refresh-refused/token";
  }

  private final class RefreshRefused extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      byte[] body = req.getInputStream().readAllBytes();
      if (new String(body, StandardCharsets.UTF_8).contains("grant_type=refresh_token")) {
        new RevokedGrant().doPost(req, res);
        return;
      }
      var forward = java.net.http.HttpRequest.newBuilder(URI.create(tokenEndpoint().replace("localhost", "127.0.0.1")))
          .header("Content-Type", req.getContentType())
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
      if (req.getHeader("Authorization") != null) {
        forward.header("Authorization", req.getHeader("Authorization"));
      }
      try (var client = java.net.http.HttpClient.newHttpClient()) {
        var answer = client.send(forward.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        res.setStatus(answer.statusCode());
        res.setContentType(answer.headers().firstValue("Content-Type").orElse("application/json"));
        res.getOutputStream().write(answer.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        res.sendError(502);
      }
    }
  }

  private static final class RevokedGrant extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setStatus(400);
      res.setContentType("application/json");
      res.getOutputStream().write("{\"error\":\"invalid_grant\",\"error_description\":\"the refresh token was revoked\"}".getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Initializes properly, then answers every request with an event stream that breaks: {@code dies}
   * sends a progress notification and drops the connection; otherwise the stream is junk.
   */
  private static final class Broken extends HttpServlet {
    private final boolean dies;

    Broken(boolean dies) {
      this.dies = dies;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      JsonNode msg = JSON.readTree(req.getInputStream());
      if (!msg.has("id")) {
        res.setStatus(202);
        return;
      }
      if ("initialize".equals(msg.path("method").asText())) {
        ObjectNode result = JSON.createObjectNode();
        result.put("protocolVersion", "2025-06-18");
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "broken").put("version", "1.0");
        ObjectNode r = JSON.createObjectNode().put("jsonrpc", "2.0");
        r.set("id", msg.get("id"));
        r.set("result", result);
        res.setHeader("Mcp-Session-Id", UUID.randomUUID().toString());
        res.setContentType("application/json");
        res.getOutputStream().write(JSON.writeValueAsBytes(r));
        return;
      }
      res.setContentType("text/event-stream");
      var out = res.getOutputStream();
      if (dies) {
        out.write("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":1}}\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        throw new IllegalStateException("the upstream dies here (test)");
      }
      out.write("event: message\ndata: {\"jsonrpc\": \"2.0\", \"id\": <<not json>>\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
