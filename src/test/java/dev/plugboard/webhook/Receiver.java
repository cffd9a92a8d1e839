package dev.plugboard.webhook;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A webhook receiver on 127.0.0.1: records every request and answers the statuses queued with
 * {@link #answer} (then 200). It can be started on a fixed port, to come back where it was.
 */
public final class Receiver implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it arrived. */
  public record Hit(String id, String timestamp, String signature, String contentType, String userAgent, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }

    public String type() {
      return json().path("type").asText();
    }

    /** Checks the signature with the official Standard Webhooks library (throws when it does not verify). */
    public void verify(String secret) {
      try {
        new Webhook(secret)
            .verify(body, Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(timestamp), "webhook-signature", List.of(signature)));
      } catch (Exception e) {
        fail("signature of " + id + " does not verify with the given secret: " + e);
      }
    }
  }

  public final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Integer> answers = new ConcurrentLinkedDeque<>();
  private final Server server = new Server();
  private final ServerConnector connector;
  private volatile String retryAfter;

  private Receiver(int port) throws Exception {
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                hits.add(
                    new Hit(
                        req.getHeader("webhook-id"),
                        req.getHeader("webhook-timestamp"),
                        req.getHeader("webhook-signature"),
                        req.getHeader("Content-Type"),
                        req.getHeader("User-Agent"),
                        body));
                Integer status = answers.poll();
                if (status != null && retryAfter != null) {
                  resp.setHeader("Retry-After", retryAfter);
                }
                if (status != null && status >= 300 && status < 400) {
                  resp.setHeader("Location", "/redirected");
                }
                resp.setStatus(status == null ? 200 : status);
              }
            }),
        "/*");
    server.setHandler(context);
    server.start();
  }

  /** On a port the system picks. */
  public static Receiver start() throws Exception {
    return new Receiver(0);
  }

  /** On {@code port} (to come back after {@link #close()}). */
  static Receiver startOn(int port) throws Exception {
    return new Receiver(port);
  }

  int port() {
    return connector.getLocalPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port() + "/hooks";
  }

  /** The next requests get these statuses, in order; afterwards 200. */
  public Receiver answer(Integer... statuses) {
    answers.addAll(List.of(statuses));
    return this;
  }

  /** Non-2xx answers carry this Retry-After header. */
  Receiver retryAfter(String value) {
    retryAfter = value;
    return this;
  }

  public List<Hit> ofType(String type) {
    return hits.stream().filter(h -> type.equals(h.type())).toList();
  }

  List<Hit> withId(String id) {
    return hits.stream().filter(h -> id.equals(h.id())).toList();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
