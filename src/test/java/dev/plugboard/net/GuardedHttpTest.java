package dev.plugboard.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Response;
import dev.plugboard.net.GuardedHttp.Stream;
import dev.plugboard.net.OutboundFailure.Kind;
import dev.plugboard.support.Await;
import dev.plugboard.support.LoopbackJetty;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The guarded client against a loopback server (test settings allow loopback over http). */
@QuarkusTest
class GuardedHttpTest {

  /** Two ports: the second is used only by the connection reuse test, so its pool holds no other test's connections. */
  static LoopbackJetty jetty;
  static int port;
  static int reusePort;
  static final Queue<String> authorizations = new ConcurrentLinkedQueue<>();
  /** The client port of the last /stream request, and what lets that stream end. */
  static volatile int streamPort;
  static final CountDownLatch streamEnd = new CountDownLatch(1);
  static volatile boolean streamEnded;

  @Inject GuardedHttp http;

  @BeforeAll
  static void start() throws Exception {
    jetty = new LoopbackJetty(2);
    jetty.context().addServlet(new ServletHolder(new Peer()), "/*");
    jetty.start();
    port = jetty.port(0);
    reusePort = jetty.port(1);
  }

  @AfterAll
  static void stop() throws Exception {
    jetty.close();
  }

  static String base() {
    return "http://127.0.0.1:" + port;
  }

  static final class Peer extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      String path = req.getRequestURI();
      if (path.startsWith("/hops/")) {
        int n = Integer.parseInt(path.substring("/hops/".length()));
        if (n == 0) {
          res.getWriter().print("arrived");
        } else {
          res.setStatus(302);
          res.setHeader("Location", "/hops/" + (n - 1));
        }
        return;
      }
      switch (path) {
        case "/cross" -> {
          res.setStatus(307);
          res.setHeader("Location", "http://localhost:" + port + "/whoami");
        }
        case "/same" -> {
          res.setStatus(307);
          res.setHeader("Location", "/whoami");
        }
        case "/to-ftp" -> {
          res.setStatus(302);
          res.setHeader("Location", "ftp://127.0.0.1/file");
        }
        case "/whoami" -> {
          String auth = req.getHeader("Authorization");
          authorizations.add(auth == null ? "none" : auth);
          res.setContentType("text/plain");
          res.getWriter().print(req.getMethod() + " " + (auth == null ? "none" : "auth") + " " + req.getHeader("Accept"));
        }
        case "/ua" -> res.getWriter().print(req.getHeader("User-Agent"));
        case "/port" -> res.getWriter().print(req.getRemotePort());
        case "/stream" -> {
          streamPort = req.getRemotePort();
          res.setContentType("text/event-stream");
          OutputStream out = res.getOutputStream();
          out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          try {
            streamEnd.await(10, TimeUnit.SECONDS); // bounded: the test lets the stream end
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          out.write("data: rest\n\n".getBytes(StandardCharsets.UTF_8));
          out.close();
          streamEnded = true;
        }
        case "/big" -> {
          OutputStream out = res.getOutputStream();
          byte[] kib = new byte[1024];
          for (int i = 0; i < 5 * 1024; i++) {
            out.write(kib);
          }
        }
        case "/lines" -> {
          OutputStream out = res.getOutputStream();
          byte[] text = "data: héllo\r\n\r\nevent: x\rdata: ok\n\nlast".getBytes(StandardCharsets.UTF_8);
          // Split inside the two-byte "é" and between CR and LF.
          out.write(text, 0, 8);
          out.flush();
          out.write(text, 8, 5);
          out.flush();
          out.write(text, 13, text.length - 13);
        }
        default -> res.setStatus(404);
      }
    }
  }

  @Test
  void identifiesItselfUnlessTheCallerDoes() throws Exception {
    assertTrue(http.exchange(Request.get(base() + "/ua", Map.of())).bodyText().startsWith("Plugboard/"));
    assertEquals("mine/1", http.exchange(Request.get(base() + "/ua", Map.of("user-agent", "mine/1"))).bodyText());
  }

  @Test
  void followsUpToThreeRedirects() throws Exception {
    Response r = http.exchange(Request.get(base() + "/hops/3", Map.of()));
    assertEquals(200, r.status());
    assertEquals("arrived", r.bodyText());
    assertEquals(base() + "/hops/0", r.url());
    OutboundFailure f = assertThrows(OutboundFailure.class, () -> http.exchange(Request.get(base() + "/hops/4", Map.of())));
    assertEquals(Kind.TOO_MANY_REDIRECTS, f.kind());
  }

  @Test
  void callerHeadersStayOnTheirOrigin() throws Exception {
    Map<String, String> headers = Map.of("Authorization", "Bearer secret-value", "Accept", "text/plain");
    assertEquals("POST auth text/plain", http.exchange(Request.post(base() + "/same", headers, "{}")).bodyText());
    assertEquals("POST none text/plain", http.exchange(Request.post(base() + "/cross", headers, "{}")).bodyText());
  }

  @Test
  void redirectToARefusedUrlFails() {
    OutboundFailure f = assertThrows(OutboundFailure.class, () -> http.exchange(Request.get(base() + "/to-ftp", Map.of())));
    assertEquals(Kind.REDIRECT_REFUSED, f.kind());
  }

  @Test
  void bodiesAreCapped() {
    OutboundFailure f = assertThrows(OutboundFailure.class, () -> http.exchange(Request.get(base() + "/big", Map.of())));
    assertEquals(Kind.TOO_LARGE, f.kind());
  }

  @Test
  void linesSplitAcrossChunksKeepTheirCharacters() throws Exception {
    try (Stream s = http.open(Request.get(base() + "/lines", Map.of()), http.newDeadline())) {
      String[] lines = new String[6];
      for (int i = 0; i < lines.length; i++) {
        lines[i] = s.readLine();
      }
      assertArrayEquals(new String[] {"data: héllo", "", "event: x", "data: ok", "", "last"}, lines);
      assertNull(s.readLine());
    }
  }

  @Test
  void anAnswerClosedBeforeItsEndStillHandsItsConnectionBack() throws Exception {
    String reuse = "http://127.0.0.1:" + reusePort;
    try (Stream s = http.open(Request.get(reuse + "/stream", Map.of()), http.newDeadline())) {
      assertEquals("data: first", s.readLine()); // what an MCP client reads before it stops: the response
    }
    streamEnd.countDown(); // the server ends the stream only after the client closed it
    Await.until("the server ended the stream", 10, () -> streamEnded);
    // Several requests at once per try: a request made before the drained connection is back in the
    // pool opens another one, which a single request per try could then pick every time; eight at once
    // use every idle connection of the pool, the drained one included once it is back.
    java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      Await.until(
          "a later request goes out on the connection of the closed answer (drained, not reset)",
          10,
          () -> {
            java.util.List<java.util.concurrent.Future<String>> ports = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
              ports.add(callers.submit(() -> http.exchange(Request.get(reuse + "/port", Map.of())).bodyText()));
            }
            boolean reused = false;
            for (java.util.concurrent.Future<String> port : ports) {
              try {
                reused |= port.get().equals(Integer.toString(streamPort));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }
            return reused;
          });
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void refusedFirstHopIsUrlNotAllowed() {
    assertThrows(UrlNotAllowedException.class, () -> http.exchange(Request.get("ftp://127.0.0.1/", Map.of())));
  }

  @Test
  void closedPortIsUnreachable() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    OutboundFailure f = assertThrows(OutboundFailure.class, () -> http.exchange(Request.get("http://127.0.0.1:" + closed + "/", Map.of())));
    assertEquals(Kind.UNREACHABLE, f.kind());
  }

  @Test
  void aKeptAliveConnectionResetAsARequestGoesOutIsSentAgainOnAFreshOne() throws Exception {
    // What a server closing an idle connection does to a request that arrives at that moment (a
    // reset, never an answer): the server here resets every connection at its second request.
    try (ResettingPeer peer = new ResettingPeer(1)) {
      java.util.List<String> sent = java.util.List.of("one", "two", "three", "four", "five");
      for (String body : sent) { // one at a time: every request after the first finds the last connection idle in the pool
        assertEquals("answer to " + body, http.exchange(Request.post(peer.url(), Map.of(), body)).bodyText());
      }
      assertTrue(peer.resets.get() >= 1, "a request went out on a kept-alive connection and met the reset");
      assertEquals(sent, java.util.List.copyOf(peer.answered), "each request answered once, in order");
    }
  }

  @Test
  void aFreshConnectionResetBeforeAnyAnswerIsNotRetried() throws Exception {
    try (ResettingPeer peer = new ResettingPeer(0)) {
      OutboundFailure f = assertThrows(OutboundFailure.class, () -> http.exchange(Request.post(peer.url(), Map.of(), "one")));
      assertEquals(Kind.UNREACHABLE, f.kind());
      assertEquals(1, peer.connections.get(), "a server that resets a new connection may have read the request: it is not sent twice");
    }
  }

  /** A raw HTTP/1.1 server on 127.0.0.1 that answers requests, keeping the connection alive, but resets each connection at its request number {@code resetAt} (0: the first). */
  static final class ResettingPeer implements AutoCloseable {
    final java.net.ServerSocket server = new java.net.ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger resets = new java.util.concurrent.atomic.AtomicInteger();
    final Queue<String> answered = new ConcurrentLinkedQueue<>();
    final Thread acceptor;

    ResettingPeer(int resetAt) throws IOException {
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    java.net.Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s, resetAt));
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/mcp";
    }

    private void serve(java.net.Socket s, int resetAt) {
      try (s) {
        java.io.InputStream in = s.getInputStream();
        for (int n = 0; ; n++) {
          String head = readHead(in);
          if (head == null) {
            return;
          }
          int length = 0;
          for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
          if (n == resetAt) {
            resets.incrementAndGet();
            s.setSoLinger(true, 0); // close with a reset, as a kernel answers data sent to a closed socket
            return;
          }
          answered.add(body);
          byte[] answer = ("answer to " + body).getBytes(StandardCharsets.UTF_8);
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + answer.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(answer);
          out.flush();
        }
      } catch (IOException gone) {
        // the client closed the connection
      }
    }

    private static String readHead(java.io.InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          return head.toString();
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
