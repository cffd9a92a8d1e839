package dev.plugboard.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The least any MCP gateway must do, for {@link GatewayBenchmark}'s floor: receive a POST on
 * 127.0.0.1 and forward it, with its MCP headers, to one upstream over a kept-alive client, then
 * copy the answer back. No key, no database, no parsing: one more HTTP hop and nothing else.
 */
final class BareHop implements AutoCloseable {

  private static final List<String> FORWARDED = List.of("Accept", "Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version");

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService workers;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  BareHop(String upstream) throws IOException {
    this(upstream, 4);
  }

  /** {@code workers}: requests it forwards at once (one per concurrent agent, so it never queues them). */
  BareHop(String upstream, int threads) throws IOException {
    this.upstream = URI.create(upstream);
    this.workers = Executors.newFixedThreadPool(threads);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::forward);
    server.setExecutor(this.workers);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
  }

  private void forward(HttpExchange in) throws IOException {
    try (in) {
      HttpRequest.Builder out = HttpRequest.newBuilder(upstream).method(in.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(in.getRequestBody().readAllBytes()));
      for (String name : FORWARDED) {
        String value = in.getRequestHeaders().getFirst(name);
        if (value != null) {
          out.header(name, value);
        }
      }
      HttpResponse<byte[]> answer = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
      for (String name : List.of("Content-Type", "Mcp-Session-Id")) {
        answer.headers().firstValue(name).ifPresent(v -> in.getResponseHeaders().add(name, v));
      }
      byte[] body = answer.body();
      in.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream o = in.getResponseBody()) {
          o.write(body);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      in.sendResponseHeaders(502, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
