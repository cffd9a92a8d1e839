package dev.plugboard.net;

import dev.plugboard.net.OutboundFailure.Kind;
import dev.plugboard.net.OutboundPolicy.Target;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one guarded outbound HTTP client for user-supplied URLs (DESIGN §8): every hop vetted by
 * {@link OutboundPolicy} and dialled at the vetted address (Host and SNI keep the name), at most
 * {@code max-redirects} redirects each re-vetted, caller headers dropped on a cross-origin hop,
 * connect and whole-call deadlines, response bodies capped. Blocking API for worker threads, and one
 * non-blocking start for an event loop ({@link #startOnLoop}).
 */
@ApplicationScoped
public class GuardedHttp {

  /** Headers that may follow a redirect to another origin; every other caller header is dropped. */
  private static final Set<String> CROSS_ORIGIN_SAFE =
      Set.of("accept", "content-type", "user-agent", "mcp-protocol-version");

  /** Tries of one request that meets stale kept-alive connections. */
  private static final int STALE_TRIES = 3;

  private final OutboundPolicy policy;
  private final OutboundConfig config;
  private final Vertx vertx;
  private final String userAgent;
  private volatile HttpClient client;
  /** Pooled connections that have answered a request: a failure on one of these before any answer is a stale connection. */
  private final Set<io.vertx.core.http.HttpConnection> answered = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>()));

  public GuardedHttp(
      OutboundPolicy policy,
      Vertx vertx,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.policy = policy;
    this.config = policy.config();
    this.vertx = vertx;
    // Some web application firewalls refuse requests that carry no User-Agent at all.
    this.userAgent = "Plugboard/" + version;
  }

  /** A request; {@code headers} keep their order; {@code body} may be null. */
  public record Request(String method, String url, Map<String, String> headers, byte[] body) {
    public static Request get(String url, Map<String, String> headers) {
      return new Request("GET", url, headers, null);
    }

    public static Request post(String url, Map<String, String> headers, String body) {
      return new Request("POST", url, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return method + " " + url + " (headers: " + headers.keySet() + ")";
    }
  }

  /** A buffered answer. Header names are lower-case. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body, String url) {
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headers(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String contentType() {
      String ct = header("content-type");
      return ct == null ? "" : ct.toLowerCase(Locale.ROOT);
    }
  }

  /** A deadline for a whole call, shared by its redirects and its body. */
  public record Deadline(long nanos) {
    public static Deadline after(java.time.Duration d) {
      return new Deadline(System.nanoTime() + d.toNanos());
    }

    public long remainingMillis() {
      return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime()));
    }
  }

  /**
   * The switches of one call: the {@code plugboard.outbound.*} ones by default ({@link #defaults()});
   * webhook deliveries pass their own. {@code maxRedirects} 0: a redirect is answered as it is.
   */
  public record Rules(boolean allowHttp, boolean allowPrivateNetworks, int maxRedirects, java.time.Duration totalTimeout) {}

  public Rules defaults() {
    return new Rules(config.allowHttp(), config.allowPrivateNetworks(), config.maxRedirects(), config.totalTimeout());
  }

  /** Sends a request under {@code rules} and buffers the answer (capped). */
  public Response exchange(Request request, Rules rules) throws OutboundFailure {
    try (Stream s = open(request, Deadline.after(rules.totalTimeout()), rules)) {
      return new Response(s.status(), s.headers(), s.readAll(), s.url());
    }
  }

  public Deadline newDeadline() {
    return Deadline.after(config.totalTimeout());
  }

  /** Sends a request and buffers the answer (capped), following redirects. */
  public Response exchange(Request request) throws OutboundFailure {
    return exchange(request, newDeadline());
  }

  public Response exchange(Request request, Deadline deadline) throws OutboundFailure {
    try (Stream s = open(request, deadline)) {
      return new Response(s.status(), s.headers(), s.readAll(), s.url());
    }
  }

  /**
   * Opens a request whose answer is read incrementally (Server-Sent Events). The stream ends at the
   * deadline or at the size cap at the latest. Close it when done.
   */
  public Stream open(Request request, Deadline deadline) throws OutboundFailure {
    return open(request, deadline, defaults());
  }

  /**
   * {@link #open(Request, Deadline)} for a request already sent from an event loop ({@link
   * #startOnLoop}): its answer is awaited here, with the same deadline, stale-connection tries and
   * redirects as any other.
   */
  public Stream open(Request request, Deadline deadline, Inflight sent) throws OutboundFailure {
    return open(request, deadline, defaults(), sent);
  }

  private Stream open(Request request, Deadline deadline, Rules rules) throws OutboundFailure {
    return open(request, deadline, rules, null);
  }

  private Stream open(Request request, Deadline deadline, Rules rules, Inflight sent) throws OutboundFailure {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("GuardedHttp blocks; call it from a worker thread");
    }
    Request current = request;
    String origin = null;
    for (int hop = 0; ; hop++) {
      Target target;
      try {
        target = policy.vet(current.url(), rules.allowHttp(), rules.allowPrivateNetworks());
      } catch (UrlNotAllowedException e) {
        if (hop == 0) {
          throw e;
        }
        throw new OutboundFailure(Kind.REDIRECT_REFUSED, "redirected to a URL the outbound policy refuses");
      }
      if (origin != null && !origin.equals(target.origin())) {
        current = new Request(current.method(), current.url(), sameOriginOnly(current.headers()), current.body());
      }
      origin = target.origin();
      if (hop == 0 && rules.allowHttp() == config.allowHttp() && rules.allowPrivateNetworks() == config.allowPrivateNetworks()) {
        remember(current.url(), target);
      }
      Stream stream = hop == 0 && sent != null ? awaitSent(sent, target, current, deadline) : sendFresh(target, current, deadline);
      int status = stream.status();
      String location = stream.header("location");
      if (status >= 300 && status < 400 && status != 304 && location != null && rules.maxRedirects() > 0) {
        stream.close();
        if (hop >= rules.maxRedirects()) {
          throw new OutboundFailure(Kind.TOO_MANY_REDIRECTS, "more than " + rules.maxRedirects() + " redirects");
        }
        String next = target.uri().resolve(URI.create(location.trim())).toString();
        boolean keepMethod = status == 307 || status == 308;
        current =
            keepMethod
                ? new Request(current.method(), next, current.headers(), current.body())
                : new Request("GET", next, current.headers(), null);
        continue;
      }
      return stream;
    }
  }

  /**
   * Sends a request; when it meets a kept-alive connection the server closed (its idle timeout) just
   * as the request went out on it, it goes out again: the server had ended that connection between
   * requests, so it never read this one (see docs/gateway.md, "Upstream connections"). A few tries,
   * as the pool may still hold the dead connection for a moment, or another one closed alike.
   */
  private Stream sendFresh(Target target, Request request, Deadline deadline) throws OutboundFailure {
    for (int attempt = 1; ; attempt++) {
      try {
        return send(target, request, deadline);
      } catch (StaleConnection e) {
        if (attempt == STALE_TRIES) {
          throw e;
        }
      }
    }
  }

  // ---- requests sent from an event loop ---------------------------------------------------------

  /** How long a vetted first hop may be reused by {@link #startOnLoop} (within the JDK's own 30 s name cache). */
  static final long VETTED_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final int VETTED_MAX = 10_000;

  private record Vetted(Target target, long at) {}

  /** First hops vetted lately under the default rules, by URL: an event loop must not resolve names. */
  private final Map<String, Vetted> vetted = new java.util.concurrent.ConcurrentHashMap<>();

  private void remember(String url, Target target) {
    if (vetted.size() >= VETTED_MAX) {
      vetted.clear();
    }
    vetted.put(url, new Vetted(target, System.nanoTime()));
  }

  /**
   * Sends {@code request} (default rules) without blocking, for an event loop: the answer is read as
   * it arrives, {@code onEvent} running on the event loop at its head, each part of its body, its end
   * or a failure. Null, and nothing sent, unless the URL was vetted by a worker within {@link
   * #VETTED_NANOS} (its address is reused, as the JDK's name cache would). Whatever is not finished
   * on the event loop is handed, unread, to {@link #open(Request, Deadline, Inflight)} on a worker.
   */
  public Inflight startOnLoop(Request request, Deadline deadline, Runnable onEvent) {
    Vetted v = vetted.get(request.url());
    if (v == null || System.nanoTime() - v.at() > VETTED_NANOS || deadline.remainingMillis() <= 0) {
      return null;
    }
    Started started = begin(v.target(), request, deadline, onEvent);
    started.head().whenComplete((r, e) -> onEvent.run());
    return new Inflight(started);
  }

  /** A request sent from an event loop, its answer as far as it has come. */
  public static final class Inflight {
    private final Started started;
    private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();

    private Inflight(Started started) {
      this.started = started;
    }

    /** This, the first time: whoever claims it reads the answer (a retry sends afresh); null after. */
    public Inflight claim() {
      return claimed.compareAndSet(false, true) ? this : null;
    }

    /** Closes the answer if nobody claimed it (the request was handed over but not used after all). */
    public void closeUnclaimed() {
      if (claim() != null) {
        close();
      }
    }

    /** Whether the head is in and the body has begun (false while waiting, and after a failure). */
    public boolean answering() {
      return started.head().isDone() && !started.head().isCompletedExceptionally();
    }

    /** Whether the exchange failed before its head. */
    public boolean failed() {
      return started.head().isCompletedExceptionally();
    }

    public int status() {
      return started.stream().status();
    }

    public String contentType() {
      return started.stream().contentType();
    }

    /** The body received so far, not taken from the stream; null when reading it failed. */
    public Peek peek() {
      return started.stream().peek();
    }

    /** Done with the answer: a body still arriving is drained (see {@link Stream#close}). */
    public void close() {
      started.stream().close();
    }
  }

  /** The body of an answer as far as it has arrived; {@code ended}: all of it. */
  public record Peek(byte[] bytes, boolean ended) {}

  /** The answer to a request sent from an event loop; a stale pooled connection is tried again as by {@link #sendFresh}. */
  private Stream awaitSent(Inflight sent, Target target, Request request, Deadline deadline) throws OutboundFailure {
    try {
      return await(sent.started, deadline);
    } catch (StaleConnection e) {
      return sendFresh(target, request, deadline);
    }
  }

  private static Map<String, String> sameOriginOnly(Map<String, String> headers) {
    Map<String, String> kept = new LinkedHashMap<>();
    headers.forEach(
        (k, v) -> {
          if (CROSS_ORIGIN_SAFE.contains(k.toLowerCase(Locale.ROOT))) {
            kept.put(k, v);
          }
        });
    return kept;
  }

  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        if (client == null) {
          client =
              vertx.createHttpClient(
                  new HttpClientOptions()
                      .setConnectTimeout((int) config.connectTimeout().toMillis())
                      .setKeepAlive(true)
                      .setKeepAliveTimeout((int) Math.max(1, config.idleTimeout().toSeconds()))
                      .setMaxPoolSize(config.maxConnectionsPerHost())
                      .setForceSni(true)
                      .setVerifyHost(true)
                      .setDecompressionSupported(true));
        }
        c = client;
      }
    }
    return c;
  }

  @PreDestroy
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private Stream send(Target target, Request request, Deadline deadline) throws OutboundFailure {
    if (deadline.remainingMillis() <= 0) {
      throw new OutboundFailure(Kind.TIMEOUT, "no answer within " + config.totalTimeout().toSeconds() + " s");
    }
    return await(begin(target, request, deadline, () -> {}), deadline);
  }

  /** A request on its way: the head completes once the body has begun (or ended, or failed). */
  private record Started(CompletableFuture<HttpClientResponse> head, Stream stream) {}

  /** Sends a request without waiting; {@code onEvent} runs on the event loop at every part of the answer. */
  private Started begin(Target target, Request request, Deadline deadline, Runnable onEvent) {
    long remaining = Math.max(1, deadline.remainingMillis());
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(request.method()))
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.tls())
            .setURI(target.pathAndQuery())
            .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
            .setFollowRedirects(false)
            // waiting for a pooled connection counts against the call's deadline too
            .setConnectTimeout(remaining);
    boolean namedItself = false;
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      options.putHeader(h.getKey(), h.getValue());
      namedItself |= h.getKey().equalsIgnoreCase("user-agent");
    }
    if (!namedItself) {
      options.putHeader("User-Agent", userAgent);
    }
    // The deadline is kept by the reader, which waits for the head and for every chunk at most until
    // then and resets the exchange when it passes (no event-loop timer per request).
    Stream stream = new Stream(request.url(), config.maxResponseBytes(), deadline);
    CompletableFuture<HttpClientResponse> head = new CompletableFuture<>();
    client()
        .request(options)
        .onFailure(e -> head.completeExceptionally(e))
        .onSuccess(
            req -> {
              if (head.isDone()) { // the caller has given up waiting: the request is never sent
                req.reset();
                return;
              }
              stream.request = req;
              stream.context = Vertx.currentContext();
              stream.reused = answered.contains(req.connection());
              req.exceptionHandler(head::completeExceptionally);
              // Body handlers are set on the event loop as the head arrives, so no chunk is lost. The
              // waiting thread is woken once the body has begun (or ended, or failed), not at the head:
              // a small answer's head, body and end usually arrive together, and are then taken in
              // one wake-up instead of one per part.
              req.response()
                  .onSuccess(
                      r -> {
                        answered.add(req.connection());
                        stream.attach(
                            r,
                            () -> {
                              head.complete(r);
                              onEvent.run();
                            });
                      })
                  .onFailure(head::completeExceptionally);
              if (request.body() != null) {
                req.end(Buffer.buffer(request.body()));
              } else {
                req.end();
              }
            });
    return new Started(head, stream);
  }

  /** Waits for a started request's answer until the deadline. */
  private Stream await(Started started, Deadline deadline) throws OutboundFailure {
    CompletableFuture<HttpClientResponse> head = started.head();
    Stream stream = started.stream();
    try {
      head.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      head.completeExceptionally(e); // a connection leased after this moment is not used
      stream.close();
      throw new OutboundFailure(Kind.TIMEOUT, "no answer within " + config.totalTimeout().toSeconds() + " s");
    } catch (ExecutionException e) {
      stream.close();
      if (stream.reused && (e.getCause() instanceof io.vertx.core.http.HttpClosedException || e.getCause() instanceof java.io.IOException)) {
        throw new StaleConnection(); // closed or reset before any answer, on a connection that had answered before
      }
      if (deadline.remainingMillis() <= 0) { // the deadline timer reset the request
        throw new OutboundFailure(Kind.TIMEOUT, "no answer within " + config.totalTimeout().toSeconds() + " s");
      }
      throw unreachable(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      head.completeExceptionally(e);
      stream.close();
      throw new OutboundFailure(Kind.UNREACHABLE, "interrupted");
    }
    return stream;
  }

  private OutboundFailure unreachable(Throwable cause) {
    String what = cause == null ? "connection failed" : cause.getClass().getSimpleName();
    if (cause instanceof java.util.concurrent.TimeoutException
        || (cause != null && String.valueOf(cause.getMessage()).contains("timed out"))) {
      return new OutboundFailure(Kind.TIMEOUT, "connection timed out");
    }
    if (cause instanceof javax.net.ssl.SSLException) {
      return new OutboundFailure(Kind.UNREACHABLE, "TLS handshake failed");
    }
    if (cause instanceof java.net.ConnectException || what.contains("Connect")) {
      return new OutboundFailure(Kind.UNREACHABLE, "connection refused");
    }
    return new OutboundFailure(Kind.UNREACHABLE, "connection failed (" + what + ")");
  }

  /** The connection closed before any answer came; see {@link #open}. */
  private static final class StaleConnection extends OutboundFailure {
    StaleConnection() {
      super(Kind.UNREACHABLE, "the server closed the connection");
    }
  }

  /** An answer being received: status and headers now, body by lines or whole. */
  public static final class Stream implements AutoCloseable {
    private static final Object END = new Object();
    /** How long a closed answer's remaining body is drained before its connection is reset. */
    static final long DRAIN_MILLIS = 2_000;
    private final String url;
    private final int maxBytes;
    private final Deadline deadline;
    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong received = new AtomicLong();
    private volatile HttpClientRequest request;
    private volatile Context context;
    /** Sent on a kept-alive connection that had answered before. */
    private volatile boolean reused;
    private volatile HttpClientResponse response;
    private volatile boolean closed;
    // The body arrived in full: the connection went back to the pool and must not be reset.
    private volatile boolean complete;
    private final StringBuilder pending = new StringBuilder();
    private ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private boolean ended;

    Stream(String url, int maxBytes, Deadline deadline) {
      this.url = url;
      this.maxBytes = maxBytes;
      this.deadline = deadline;
    }

    /** Reads {@code r}'s body into the queue; {@code begun} runs on the first chunk, the end or a failure. */
    void attach(HttpClientResponse r, Runnable begun) {
      this.response = r;
      r.handler(
          buf -> {
            if (received.addAndGet(buf.length()) > maxBytes) {
              fail(new OutboundFailure(Kind.TOO_LARGE, "answer larger than " + maxBytes + " bytes"));
            } else {
              chunks.add(buf.getBytes());
            }
            begun.run();
          });
      r.exceptionHandler(
          e -> {
            fail(new OutboundFailure(Kind.UNREACHABLE, "connection broke while reading"));
            begun.run();
          });
      r.endHandler(
          v -> {
            complete = true;
            chunks.add(END);
            begun.run();
          });
    }

    void fail(OutboundFailure f) {
      chunks.add(f);
      resetUnlessComplete();
    }

    /**
     * Aborts an exchange whose body has not ended. Runs on the connection's event loop, where the
     * body's end is also seen: a connection already back in the pool is never reset (closing it
     * would break the next request that leases it).
     */
    private void resetUnlessComplete() {
      unlessComplete(HttpClientRequest::reset);
    }

    /**
     * Runs {@code action} on the connection's event loop unless the body has ended by then (nothing
     * to do before the request exists).
     */
    private void unlessComplete(Consumer<HttpClientRequest> action) {
      HttpClientRequest req = request;
      Context ctx = context;
      if (req == null || ctx == null) {
        return;
      }
      ctx.runOnContext(
          v -> {
            if (!complete) {
              action.accept(req);
            }
          });
    }

    public int status() {
      return response.statusCode();
    }

    public String url() {
      return url;
    }

    public String header(String name) {
      return response.getHeader(name);
    }

    public Map<String, List<String>> headers() {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (String name : response.headers().names()) {
        out.put(name.toLowerCase(Locale.ROOT), response.headers().getAll(name));
      }
      return out;
    }

    public String contentType() {
      String ct = header("content-type");
      return ct == null ? "" : ct.toLowerCase(Locale.ROOT);
    }

    /** What has arrived so far, left in place for a reader; null when it failed. */
    Peek peek() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (Object o : chunks) {
        if (o == END) {
          return new Peek(all.toByteArray(), true);
        }
        if (!(o instanceof byte[] b)) {
          return null;
        }
        all.writeBytes(b);
      }
      return new Peek(all.toByteArray(), false);
    }

    /** The next chunk of bytes, or null at the end of the body. */
    private byte[] nextChunk() throws OutboundFailure {
      if (ended) {
        return null;
      }
      Object next;
      try {
        next = chunks.poll(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OutboundFailure(Kind.UNREACHABLE, "interrupted");
      }
      if (next == null) {
        ended = true;
        resetUnlessComplete();
        throw new OutboundFailure(Kind.TIMEOUT, "the answer did not complete in time");
      }
      if (next == END) {
        ended = true;
        return null;
      }
      if (next instanceof OutboundFailure f) {
        ended = true;
        throw f;
      }
      return (byte[]) next;
    }

    /** The whole body (capped). */
    public byte[] readAll() throws OutboundFailure {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(partialLine.toByteArray());
      partialLine = new ByteArrayOutputStream();
      byte[] chunk;
      while ((chunk = nextChunk()) != null) {
        all.writeBytes(chunk);
      }
      return all.toByteArray();
    }

    /** The next line without its terminator (LF, CRLF or CR), or null at the end of the body. */
    public String readLine() throws OutboundFailure {
      while (true) {
        int nl = indexOfLineEnd(pending);
        if (nl >= 0) {
          String line = pending.substring(0, nl);
          int skip = pending.charAt(nl) == '\r' && nl + 1 < pending.length() && pending.charAt(nl + 1) == '\n' ? 2 : 1;
          pending.delete(0, nl + skip);
          return line;
        }
        byte[] chunk = nextChunk();
        if (chunk == null) {
          flushPartial();
          if (pending.isEmpty()) {
            return null;
          }
          String last = pending.toString();
          pending.setLength(0);
          return last;
        }
        appendUtf8(chunk);
      }
    }

    // Decode UTF-8 only up to the last complete line end so multi-byte characters split across
    // chunks stay intact.
    private void appendUtf8(byte[] chunk) {
      partialLine.writeBytes(chunk);
      byte[] bytes = partialLine.toByteArray();
      int cut = -1;
      for (int i = bytes.length - 1; i >= 0; i--) {
        if (bytes[i] == '\n' || bytes[i] == '\r') {
          cut = i;
          break;
        }
      }
      if (cut < 0) {
        return;
      }
      pending.append(new String(bytes, 0, cut + 1, StandardCharsets.UTF_8));
      partialLine = new ByteArrayOutputStream();
      partialLine.write(bytes, cut + 1, bytes.length - cut - 1);
    }

    private void flushPartial() {
      if (partialLine.size() > 0) {
        pending.append(partialLine.toString(StandardCharsets.UTF_8));
        partialLine = new ByteArrayOutputStream();
      }
    }

    private static int indexOfLineEnd(CharSequence s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\n') {
          return i;
        }
        if (c == '\r') {
          // A CR at the very end may be the first half of CRLF still in flight; wait for more.
          return i + 1 < s.length() ? i : -1;
        }
      }
      return -1;
    }

    /**
     * Closes the answer. A body still arriving (an MCP server ends its event stream just after the
     * response that the reader stopped at) is drained, unread and still capped, for up to
     * {@link #DRAIN_MILLIS}, so its kept-alive connection goes back to the pool instead of being
     * reset and dialled again for the next request; after that it is reset.
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (ended || complete) {
        return;
      }
      unlessComplete(
          req -> {
            HttpClientResponse r = response;
            if (r == null) {
              req.reset();
              return;
            }
            chunks.clear();
            long timer = context.owner().setTimer(DRAIN_MILLIS, t -> resetUnlessComplete());
            r.handler(
                buf -> {
                  if (received.addAndGet(buf.length()) > maxBytes) {
                    resetUnlessComplete();
                  }
                });
            r.endHandler(
                end -> {
                  complete = true;
                  context.owner().cancelTimer(timer);
                });
          });
    }
  }
}
