package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.support.LoopbackJetty;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletSseServerTransportProvider;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * MCP servers on 127.0.0.1 for the probe tests: real ones built with the official MCP Java SDK
 * (Streamable HTTP, stateless JSON, legacy SSE, bearer-protected) and hand-written ones for what
 * no SDK server does (pagination with interleaved server messages, stream resumption, the
 * 2026-07-28 revision, and broken servers).
 */
final class McpPeers implements AutoCloseable {

  static final String TOKEN = "s3cret-token-for-tests";
  static final ObjectMapper JSON = new ObjectMapper();

  /** Every request seen: method, path, whether it carried the bearer token, its session id. */
  record Seen(String method, String path, String authorization, String sessionId) {}

  final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
  final Queue<String> pingReplies = new ConcurrentLinkedQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final LoopbackJetty jetty = new LoopbackJetty();
  private final List<AutoCloseable> servers = new ArrayList<>();

  McpPeers() throws Exception {
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    ServletContextHandler ctx = jetty.context();

    Filter record =
        (req, res, chain) -> {
          HttpServletRequest r = (HttpServletRequest) req;
          seen.add(new Seen(r.getMethod(), r.getRequestURI(), r.getHeader("Authorization"), r.getHeader("Mcp-Session-Id")));
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(record), "/*", EnumSet.of(DispatcherType.REQUEST));

    var streamable = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint("/mcp").build();
    servers.add(McpServer.sync(streamable).jsonMapper(json).serverInfo("streamable", "1.0").capabilities(toolsCapability()).tools(echo(json), add(json)).build()::close);
    mount(ctx, streamable, "/mcp");

    var stateless = HttpServletStatelessServerTransport.builder().jsonMapper(json).messageEndpoint("/stateless").build();
    McpStatelessSyncServer statelessServer =
        McpServer.sync(stateless)
            .jsonMapper(json)
            .serverInfo("stateless", "1.0")
            .capabilities(toolsCapability())
            .tools(new McpStatelessServerFeatures.SyncToolSpecification(tool(json, "lookup", "Look a word up"), (c, r) -> text("found")))
            .build();
    servers.add(statelessServer::close);
    mount(ctx, stateless, "/stateless");

    var sse = HttpServletSseServerTransportProvider.builder().jsonMapper(json).sseEndpoint("/sse").messageEndpoint("/message").build();
    McpSyncServer sseServer = McpServer.sync(sse).jsonMapper(json).serverInfo("legacy", "1.0").capabilities(toolsCapability()).tools(echo(json)).build();
    servers.add(sseServer::close);
    ServletHolder sseHolder = new ServletHolder(sse);
    sseHolder.setAsyncSupported(true);
    ctx.addServlet(sseHolder, "/sse");
    ctx.addServlet(sseHolder, "/message");

    var secure = HttpServletStreamableServerTransportProvider.builder().jsonMapper(json).mcpEndpoint("/secure/mcp").build();
    servers.add(McpServer.sync(secure).jsonMapper(json).serverInfo("secure", "1.0").capabilities(toolsCapability()).tools(echo(json)).build()::close);
    Filter bearer =
        (req, res, chain) -> {
          HttpServletResponse response = (HttpServletResponse) res;
          if (!("Bearer " + TOKEN).equals(((HttpServletRequest) req).getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer resource_metadata=\"" + base() + "/.well-known/oauth-protected-resource/secure/mcp\"");
            response.sendError(401);
            return;
          }
          chain.doFilter(req, res);
        };
    ctx.addFilter(new FilterHolder(bearer), "/secure/*", EnumSet.of(DispatcherType.REQUEST));
    mount(ctx, secure, "/secure/mcp");

    ctx.addServlet(new ServletHolder(new PagedServer()), "/paged");
    ctx.addServlet(new ServletHolder(new ResumingServer()), "/resume");
    ctx.addServlet(new ServletHolder(new ModernServer()), "/modern");
    ctx.addServlet(new ServletHolder(new EdgeServer()), "/edge/*");

    jetty.start();
  }

  String base() {
    return jetty.base();
  }

  int port() {
    return jetty.port();
  }

  @Override
  public void close() throws Exception {
    release.countDown();
    for (AutoCloseable s : servers) {
      s.close();
    }
    jetty.close();
  }

  private static void mount(ServletContextHandler ctx, HttpServlet servlet, String path) {
    ServletHolder holder = new ServletHolder(servlet);
    holder.setAsyncSupported(true);
    ctx.addServlet(holder, path);
  }

  private static McpSchema.ServerCapabilities toolsCapability() {
    return McpSchema.ServerCapabilities.builder().tools(true).build();
  }

  private static McpSchema.Tool tool(McpJsonMapper json, String name, String description) {
    return McpSchema.Tool.builder()
        .name(name)
        .description(description)
        .inputSchema(json, "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":1}},\"required\":[\"text\"]}")
        .build();
  }

  private static McpSchema.CallToolResult text(String s) {
    return McpSchema.CallToolResult.builder().addTextContent(s).build();
  }

  private static McpServerFeatures.SyncToolSpecification echo(McpJsonMapper json) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(tool(json, "echo", "Echo the text back"))
        .callHandler((exchange, req) -> text("echo: " + req.arguments().get("text")))
        .build();
  }

  private static McpServerFeatures.SyncToolSpecification add(McpJsonMapper json) {
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name("add")
                .description("Add two numbers")
                .inputSchema(json, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}}")
                .build())
        .callHandler((exchange, req) -> text("sum"))
        .build();
  }

  static ObjectNode response(JsonNode id, JsonNode result) {
    ObjectNode r = JSON.createObjectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", id);
    r.set("result", result);
    return r;
  }

  static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode r = JSON.createObjectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", id);
    r.putObject("error").put("code", code).put("message", message);
    return r;
  }

  static ObjectNode initializeResult(String version) {
    ObjectNode result = JSON.createObjectNode();
    result.put("protocolVersion", version);
    result.putObject("capabilities").putObject("tools");
    result.putObject("serverInfo").put("name", "scripted").put("version", "1.0");
    return result;
  }

  static ArrayNode tools(String... names) {
    ArrayNode list = JSON.createArrayNode();
    for (String n : names) {
      ObjectNode t = list.addObject();
      t.put("name", n);
      t.put("description", "Tool " + n);
      t.putObject("inputSchema").put("type", "object").putObject("properties");
    }
    return list;
  }

  private static void json(HttpServletResponse res, int status, JsonNode body) throws IOException {
    res.setStatus(status);
    res.setContentType("application/json");
    res.getOutputStream().write(JSON.writeValueAsBytes(body));
  }

  /**
   * Streamable HTTP with a session: initialize answers application/json, tools/list answers an
   * event stream that carries a priming event, a log notification and a ping request before the
   * response, and pages through five tools two at a time.
   */
  private final class PagedServer extends HttpServlet {
    private final String session = UUID.randomUUID().toString();

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      JsonNode msg = JSON.readTree(req.getInputStream());
      String method = msg.path("method").asText();
      if (method.equals("initialize")) {
        res.setHeader("Mcp-Session-Id", session);
        json(res, 200, response(msg.get("id"), initializeResult("2025-06-18")));
        return;
      }
      if (!session.equals(req.getHeader("Mcp-Session-Id")) || !"2025-06-18".equals(req.getHeader("MCP-Protocol-Version"))) {
        json(res, 400, error(null, -32600, "missing session or protocol version"));
        return;
      }
      if (!msg.has("method")) { // the client's answer to our ping
        pingReplies.add(msg.toString());
        res.setStatus(202);
        return;
      }
      if (!msg.has("id")) {
        res.setStatus(202);
        return;
      }
      if (!method.equals("tools/list")) {
        json(res, 200, error(msg.get("id"), -32601, "Method not found"));
        return;
      }
      String cursor = msg.path("params").path("cursor").asText("");
      ObjectNode result = JSON.createObjectNode();
      switch (cursor) {
        case "" -> result.put("nextCursor", "page-2").set("tools", tools("alpha", "beta"));
        case "page-2" -> result.put("nextCursor", "page-3").set("tools", tools("gamma", "delta"));
        default -> result.set("tools", tools("epsilon"));
      }
      res.setStatus(200);
      res.setContentType("text/event-stream");
      PrintWriter out = res.getWriter();
      out.print("id: prime-1\ndata: \n\n");
      out.print(": a comment\n\n");
      out.print("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"listing\"}}\n\n");
      out.print("data: {\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"method\":\"ping\"}\n\n");
      String line = JSON.writeValueAsString(response(msg.get("id"), result));
      out.print("id: r-1\nevent: message\ndata: " + line + "\r\n\r\n");
      out.flush();
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse res) {
      res.setStatus(session.equals(req.getHeader("Mcp-Session-Id")) ? 200 : 404);
    }
  }

  /** Stateless Streamable HTTP whose tools/list stream closes after a priming event; the answer comes on resumption. */
  private final class ResumingServer extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      JsonNode msg = JSON.readTree(req.getInputStream());
      String method = msg.path("method").asText();
      if (method.equals("initialize")) {
        json(res, 200, response(msg.get("id"), initializeResult("2025-11-25")));
      } else if (!msg.has("id")) {
        res.setStatus(202);
      } else {
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.getWriter().print("id: stream-" + msg.get("id").asText() + "-0\nretry: 10\ndata: \n\n");
      }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String last = req.getHeader("Last-Event-ID");
      if (last == null || !last.startsWith("stream-")) {
        res.setStatus(405);
        return;
      }
      String id = last.substring("stream-".length(), last.lastIndexOf('-'));
      ObjectNode result = JSON.createObjectNode();
      result.set("tools", tools("resumed"));
      res.setStatus(200);
      res.setContentType("text/event-stream");
      res.getWriter().print("id: stream-" + id + "-1\ndata: " + JSON.writeValueAsString(response(JSON.getNodeFactory().numberNode(Integer.parseInt(id)), result)) + "\n\n");
    }
  }

  /** The 2026-07-28 revision: no initialize, headers mirrored from the body, server/discover. */
  private static final class ModernServer extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
      JsonNode msg = JSON.readTree(req.getInputStream());
      JsonNode id = msg.get("id");
      String version = req.getHeader("MCP-Protocol-Version");
      if (!"2026-07-28".equals(version)) {
        ObjectNode e = error(id, -32022, "Unsupported protocol version");
        ((ObjectNode) e.get("error")).putObject("data").put("requested", version).putArray("supported").add("2026-07-28");
        json(res, 400, e);
        return;
      }
      String method = msg.path("method").asText();
      if (!method.equals(req.getHeader("Mcp-Method"))
          || !version.equals(msg.path("params").path("_meta").path("io.modelcontextprotocol/protocolVersion").asText())) {
        json(res, 400, error(id, -32020, "Header mismatch"));
        return;
      }
      ObjectNode result = JSON.createObjectNode();
      result.put("resultType", "complete");
      switch (method) {
        case "server/discover" -> {
          result.putArray("supportedVersions").add("2026-07-28");
          result.putObject("capabilities").putObject("tools");
          result.putObject("_meta").putObject("io.modelcontextprotocol/serverInfo").put("name", "modern").put("version", "1.0");
        }
        case "tools/list" -> result.set("tools", tools("forecast", "alerts"));
        default -> {
          json(res, 404, error(id, -32601, "Method not found"));
          return;
        }
      }
      json(res, 200, response(id, result));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) {
      res.setStatus(405);
    }
  }

  /** Servers that go wrong, by path: /edge/html, /big, /bad-json, /status-500, /slow, /endless, /no-name, /cursor-loop. */
  private final class EdgeServer extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String what = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
      JsonNode msg = req.getMethod().equals("POST") ? JSON.readTree(req.getInputStream()) : null;
      switch (what) {
        case "html" -> {
          res.setStatus(200);
          res.setContentType("text/html; charset=utf-8");
          res.getWriter().print("<!doctype html><title>Welcome</title><p>Hello</p>");
        }
        case "big" -> {
          res.setStatus(200);
          res.setContentType("application/json");
          byte[] chunk = ("\"" + "x".repeat(1022) + "\",").getBytes(StandardCharsets.UTF_8);
          var out = res.getOutputStream();
          out.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"padding\":[".getBytes(StandardCharsets.UTF_8));
          for (int i = 0; i < 5 * 1024; i++) {
            out.write(chunk);
          }
          out.write("\"end\"]}}".getBytes(StandardCharsets.UTF_8));
        }
        case "bad-json" -> {
          res.setStatus(200);
          res.setContentType("application/json");
          res.getWriter().print("{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": {");
        }
        case "status-500" -> {
          res.setStatus(500);
          res.setContentType("text/plain");
          res.getWriter().print("boom");
        }
        case "slow" -> awaitRelease(60_000);
        case "endless" -> {
          res.setStatus(200);
          res.setContentType("text/event-stream");
          PrintWriter out = res.getWriter();
          for (int i = 0; i < 100_000 && !out.checkError(); i++) {
            out.print(": still thinking\n\n");
            out.flush();
            if (awaitRelease(50)) {
              return;
            }
          }
        }
        case "no-name", "cursor-loop" -> {
          if (msg == null || !msg.has("id")) {
            res.setStatus(msg == null ? 405 : 202);
            return;
          }
          if (msg.path("method").asText().equals("initialize")) {
            json(res, 200, response(msg.get("id"), initializeResult("2025-03-26")));
            return;
          }
          ObjectNode result = JSON.createObjectNode();
          if (what.equals("no-name")) {
            result.putArray("tools").addObject().put("description", "nameless");
          } else {
            result.put("nextCursor", "same").set("tools", tools("again"));
          }
          json(res, 200, response(msg.get("id"), result));
        }
        default -> res.setStatus(404);
      }
    }

    private boolean awaitRelease(long millis) {
      try {
        return release.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
  }
}
