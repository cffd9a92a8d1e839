package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.support.LoopbackJetty;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/** An MCP Java SDK server (Streamable HTTP at {@code /mcp}) on a loopback Jetty, serving the tools a test gives it. */
final class SdkUpstream implements AutoCloseable {

  /** The mapper the tools' schemas are built with. */
  static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

  private final LoopbackJetty jetty = new LoopbackJetty();
  private final McpSyncServer server;

  SdkUpstream(String name, SyncToolSpecification... tools) throws Exception {
    var transport = HttpServletStreamableServerTransportProvider.builder().jsonMapper(JSON).mcpEndpoint("/mcp").build();
    server =
        McpServer.sync(transport)
            .jsonMapper(JSON)
            .serverInfo(name, "1.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(tools)
            .build();
    ServletHolder holder = new ServletHolder(transport);
    holder.setAsyncSupported(true);
    jetty.context().addServlet(holder, "/mcp");
    jetty.start();
  }

  /** The MCP endpoint. */
  String url() {
    return jetty.base() + "/mcp";
  }

  @Override
  public void close() throws Exception {
    server.close();
    jetty.close();
  }
}
