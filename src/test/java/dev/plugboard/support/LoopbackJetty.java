package dev.plugboard.support;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The Jetty every test peer runs: one servlet context at {@code /}, served on 127.0.0.1 only, on
 * ports the system picks. Add servlets and filters to {@link #context()}, then {@link #start()}.
 */
public final class LoopbackJetty implements AutoCloseable {

  private final Server server = new Server();
  private final ServletContextHandler context = new ServletContextHandler();
  private final List<ServerConnector> connectors = new ArrayList<>();

  /** One port. */
  public LoopbackJetty() {
    this(1);
  }

  /** {@code ports} ports serving the same context. */
  public LoopbackJetty(int ports) {
    for (int i = 0; i < ports; i++) {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      connectors.add(connector);
    }
    context.setContextPath("/");
    server.setHandler(context);
  }

  public ServletContextHandler context() {
    return context;
  }

  public LoopbackJetty start() throws Exception {
    server.start();
    return this;
  }

  /** The first port (after {@link #start()}). */
  public int port() {
    return port(0);
  }

  public int port(int index) {
    return connectors.get(index).getLocalPort();
  }

  /** {@code http://127.0.0.1:<first port>}. */
  public String base() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
