package dev.plugboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by bench/gateway.sh against the packaged app it started (container JVM flags) on 127.0.0.1:
 * the MCP Java SDK server of the gateway tests is the upstream, called directly and through the
 * gateway by the same minimal client (java.net.http, kept-alive HTTP/1.1). Prints figures; asserts
 * only that every call got the tool's answer.
 */
@EnabledIfSystemProperty(named = "plugboard.bench", matches = "true")
class GatewayBenchmark {

  static final String ACCEPT = "application/json, text/event-stream";
  static final int BLOCK = 100;
  static final int STAGE = 1000;

  final String api = System.getProperty("bench.api");
  final long pid = Long.parseLong(System.getProperty("bench.pid"));
  final long pgPid = Long.parseLong(System.getProperty("bench.pg-pid"));
  final int warmup = Integer.getInteger("bench.warmup", 5000);
  final int runs = Integer.getInteger("bench.runs", 5000);
  final int sessions = Integer.getInteger("bench.sessions", 1000);
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One MCP session of the minimal client: to the upstream itself (no key) or through the gateway. */
  final class Agent {
    final String url;
    final String key;
    String session;

    Agent(String url, String key) {
      this.url = url;
      this.key = key;
    }

    Agent open() throws Exception {
      HttpResponse<String> init = send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}");
      assertEquals(200, init.statusCode(), init.body());
      session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
      assertEquals(202, send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());
      return this;
    }

    /** tools/call echo; true when the tool's answer came back. */
    boolean echo(String text) throws Exception {
      HttpResponse<String> r = send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\"}}}");
      return r.statusCode() == 200 && r.body().contains("echo: " + text);
    }

    /**
     * tools/call echo with the argument both upstreams know ({@code text}: the SDK server of the
     * tests; {@code message}: server-everything); null when the answer holds the text, else what came.
     */
    String call(String text) {
      try {
        HttpResponse<String> r = send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"" + text + "\",\"message\":\"" + text + "\"}}}");
        boolean ok = r.statusCode() == 200 && r.body().contains(text) && !r.body().contains("\"error\"") && !r.body().contains("\"isError\":true");
        return ok ? null : r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()));
      } catch (Exception e) {
        return e.toString();
      }
    }

    /** Ends the session (DELETE), as an agent that is done does. */
    void close() throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Mcp-Session-Id", session).DELETE();
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    }

    HttpResponse<String> send(String message) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", ACCEPT).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(message));
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      if (session != null) {
        b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "bench.agents", matches = "[0-9]+")
  void manyAgentsAtOnce() throws Exception {
    int agents = Integer.getInteger("bench.agents");
    int calls = Integer.getInteger("bench.calls", 150);
    RestAssured.baseURI = api.substring(0, api.lastIndexOf(':'));
    RestAssured.port = Integer.parseInt(api.substring(api.lastIndexOf(':') + 1));
    // The upstream: bench/gateway.sh's server-everything when it could start one, else the SDK server of the tests.
    String given = System.getProperty("bench.upstream", "");
    try (GatewayPeers peers = given.isEmpty() ? new GatewayPeers() : null;
        BareHop hop = new BareHop(given.isEmpty() ? peers.base() + "/open/mcp" : given, agents)) {
      String upstream = given.isEmpty() ? peers.base() + "/open/mcp" : given;
      System.out.printf("bench: %d agents, each its own session, %d tools/call each, upstream %s%n", agents, calls, given.isEmpty() ? "the MCP Java SDK server of the tests" : "server-everything");
      Member m = Fixtures.newMember();
      String conn = Fixtures.create(m, Map.of("name", "bench upstream", "server_url", upstream, "provider", "user", "auth_method", "url"));
      List<String> names = List.of("direct", "gateway", "bare hop");
      String[] urls = {upstream, api + "/mcp/v1/connections/" + conn, hop.url()};
      String[] keys = {null, m.key(), null};
      ExecutorService pool = Executors.newFixedThreadPool(agents);
      int repeats = Integer.getInteger("bench.rounds", 3);
      long upstreamPid = Long.getLong("bench.upstream-pid", 0);
      long self = ProcessHandle.current().pid();
      try {
        for (int k = 0; k < names.size(); k++) { // warm-up: every path, a fifth of the calls
          concurrently(pool, agents, Math.max(1, calls / 5), urls[k], keys[k]);
        }
        // The paths take turns, round after round, so that a slower minute of this shared machine
        // falls on all of them alike; each path's figure is its median round.
        List<List<Round>> rounds = new ArrayList<>();
        names.forEach(n -> rounds.add(new ArrayList<>()));
        for (int r = 0; r < repeats; r++) {
          for (int k = 0; k < names.size(); k++) {
            long app0 = ticks(pid), pg0 = pgTicks(), driver0 = ticks(self), up0 = upstreamPid > 0 ? ticks(upstreamPid) : 0;
            Round round = concurrently(pool, agents, calls, urls[k], keys[k]);
            double n = (double) agents * calls / 10.0; // ticks are 10 ms
            rounds.get(k).add(round.withCpu(new Cpu((ticks(self) - driver0) / n, upstreamPid > 0 ? (ticks(upstreamPid) - up0) / n : 0, (ticks(pid) - app0) / n, (pgTicks() - pg0) / n)));
          }
        }
        Round[] median = new Round[names.size()];
        for (int k = 0; k < names.size(); k++) {
          List<Round> of = rounds.get(k);
          median[k] = of.stream().sorted(java.util.Comparator.comparingDouble(Round::perSecond)).toList().get(of.size() / 2);
          long[] all = of.stream().flatMapToLong(r -> Arrays.stream(r.nanos())).toArray();
          int failed = of.stream().mapToInt(Round::failed).sum();
          String first = of.stream().map(Round::firstFailure).filter(f -> f != null).findFirst().orElse(null);
          Cpu cpu = Cpu.mean(of.stream().map(Round::cpu).toList());
          System.out.printf(
              "bench: %-8s %8.1f calls/s (rounds %s)  p50 %7.3f ms  p99 %7.3f ms  failed %d of %d%s%n",
              names.get(k), median[k].perSecond(), of.stream().map(r -> String.format("%.0f", r.perSecond())).toList(), median(all) / 1e6, p99(all) / 1e6, failed, all.length, first == null ? "" : " (first: " + first + ")");
          System.out.printf(
              "bench: %-8s CPU per call: driver %.3f ms (the agents%s), upstream %.3f ms, app %.3f ms, PostgreSQL %.3f ms, all %.3f ms%n",
              names.get(k), cpu.driver(), k == 2 ? " and the bare hop" : "", cpu.upstream(), cpu.app(), cpu.pg(), cpu.all());
          assertEquals(0, failed, names.get(k) + ": every call got the tool's answer");
        }
        Round d = median[0], g = median[1], h = median[2];
        System.out.printf("bench: throughput gateway/direct %.2f (target >= 0.7), gateway/bare hop %.2f, bare hop/direct %.2f%n", g.perSecond() / d.perSecond(), g.perSecond() / h.perSecond(), h.perSecond() / d.perSecond());
        Cpu dc = Cpu.mean(rounds.get(0).stream().map(Round::cpu).toList()), gc = Cpu.mean(rounds.get(1).stream().map(Round::cpu).toList()), hc = Cpu.mean(rounds.get(2).stream().map(Round::cpu).toList());
        // On a machine whose cores are all busy, calls/s go as 1 / (CPU per call): these ratios are what
        // the throughput ratios would be without the machine's noise.
        System.out.printf(
            "bench: by CPU per call: gateway/direct %.2f, bare hop/direct %.2f; the gateway adds %.3f ms (app + PostgreSQL), the bare hop %.3f ms; 0.7x direct allows %.3f ms%n",
            dc.all() / gc.all(), dc.all() / hc.all(), gc.app() + gc.pg(), hc.all() - dc.all(), dc.all() * (1 / 0.7 - 1));
        System.out.printf("bench: p50 gateway/direct %.2f, gateway/bare hop %.2f%n", median(g.nanos()) / median(d.nanos()), median(g.nanos()) / median(h.nanos()));
      } finally {
        pool.shutdownNow();
      }
    } finally {
      RestAssured.reset();
    }
  }

  /** CPU per call, in ms, of each party: the driver JVM (agents, and the bare hop in its rounds), the upstream, the app, PostgreSQL. */
  record Cpu(double driver, double upstream, double app, double pg) {
    double all() {
      return driver + upstream + app + pg;
    }

    static Cpu mean(List<Cpu> of) {
      return new Cpu(
          of.stream().mapToDouble(Cpu::driver).average().orElse(0),
          of.stream().mapToDouble(Cpu::upstream).average().orElse(0),
          of.stream().mapToDouble(Cpu::app).average().orElse(0),
          of.stream().mapToDouble(Cpu::pg).average().orElse(0));
    }
  }

  /** One concurrent round: each call's time, calls per second over the wall time, failures, CPU per call. */
  record Round(long[] nanos, double perSecond, int failed, String firstFailure, Cpu cpu) {
    Round withCpu(Cpu measured) {
      return new Round(nanos, perSecond, failed, firstFailure, measured);
    }
  }

  /** {@code agents} agents, each in a session of its own opened first, make {@code calls} tools/call each, all at once. */
  Round concurrently(ExecutorService pool, int agents, int calls, String url, String key) throws Exception {
    List<Agent> opened = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      opened.add(new Agent(url, key).open());
    }
    long[] nanos = new long[agents * calls];
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Future<?>> running = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      Agent agent = opened.get(a);
      int slot = a * calls;
      running.add(
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < calls; i++) {
                  String text = "a" + slot + "-" + i;
                  long t0 = System.nanoTime();
                  String failure = agent.call(text);
                  nanos[slot + i] = System.nanoTime() - t0;
                  if (failure != null) {
                    failed.incrementAndGet();
                    first.compareAndSet(null, failure);
                  }
                }
                return null;
              }));
    }
    long t0 = System.nanoTime();
    go.countDown();
    for (Future<?> f : running) {
      f.get(600, TimeUnit.SECONDS);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (Agent agent : opened) {
      agent.close();
    }
    return new Round(nanos, nanos.length / seconds, failed.get(), first.get(), null);
  }

  @Test
  void gatewayVersusDirect() throws Exception {
    RestAssured.baseURI = api.substring(0, api.lastIndexOf(':'));
    RestAssured.port = Integer.parseInt(api.substring(api.lastIndexOf(':') + 1));
    try (GatewayPeers upstream = new GatewayPeers();
        BareHop hop = new BareHop(upstream.base() + "/open/mcp")) {
      Member m = Fixtures.newMember();
      String conn = Fixtures.create(m, Map.of("name", "bench upstream", "server_url", upstream.base() + "/open/mcp", "provider", "user", "auth_method", "url"));
      String gatewayUrl = api + "/mcp/v1/connections/" + conn;
      Agent direct = new Agent(upstream.base() + "/open/mcp", null).open();
      Agent gateway = new Agent(gatewayUrl, m.key()).open();
      // The API floor: an authenticated GET of the same connection, one query, same client.
      HttpRequest byId = HttpRequest.newBuilder(URI.create(api + "/v1/connections/" + conn)).header("Authorization", "Bearer " + m.key()).build();
      // The floor of any gateway: the same call through one bare forwarding hop (no key, no database).
      Agent bare = new Agent(hop.url(), null).open();
      // The floor of the audit promise: one activity row committed (the gateway's own statement), from
      // this JVM over loopback, as the gateway does for every tools/call before it answers.
      java.sql.Connection db = java.sql.DriverManager.getConnection(System.getProperty("bench.jdbc"), "postgres", "unused");
      java.util.UUID auditConnection = java.util.UUID.randomUUID();
      java.sql.PreparedStatement audit =
          db.prepareStatement(
              "INSERT INTO connection_activity (at, api_key_id, user_id, team_id, connection_id, kind, tool, outcome, upstream_status, duration_ms)"
                  + " VALUES (now(), NULL, NULL, ?, ?, 'tools_call', 'echo', 'ok', 200, 0)");
      audit.setObject(1, java.util.UUID.randomUUID());
      audit.setObject(2, auditConnection);
      Call[] kinds = {
        i -> direct.echo("b" + i),
        i -> gateway.echo("b" + i),
        i -> http.send(byId, HttpResponse.BodyHandlers.discarding()).statusCode() == 200,
        i -> bare.echo("b" + i),
        i -> audit.executeUpdate() == 1
      };

      // (a) tools/call latency, warm
      for (int stage = 1; stage <= warmup / STAGE; stage++) {
        long[][] t = measure(kinds, STAGE);
        upstream.seen.clear();
        System.out.printf("bench: warm-up %5d calls of each: direct %.3f ms, gateway %.3f ms, ratio %.2f%n", stage * STAGE, median(t[0]) / 1e6, median(t[1]) / 1e6, median(t[1]) / median(t[0]));
      }
      long[][] t = measure(kinds, runs);
      upstream.seen.clear();
      double d50 = median(t[0]), g50 = median(t[1]), d99 = p99(t[0]), g99 = p99(t[1]);
      System.out.printf("bench: tools/call direct   median %.3f ms  p99 %.3f ms  (%d calls)%n", d50 / 1e6, d99 / 1e6, runs);
      System.out.printf("bench: tools/call gateway  median %.3f ms  p99 %.3f ms  (%d calls)%n", g50 / 1e6, g99 / 1e6, runs);
      System.out.printf("bench: median ratio %.2f (target <= 1.3)  median added %.3f ms  p99 added %.3f ms (target <= 2)%n", g50 / d50, (g50 - d50) / 1e6, (g99 - d99) / 1e6);
      System.out.printf("bench: (API floor: GET /v1/connections/{id} median %.3f ms  p99 %.3f ms)%n", median(t[2]) / 1e6, p99(t[2]) / 1e6);
      double h50 = median(t[3]), h99 = p99(t[3]);
      System.out.printf("bench: (hop floor: tools/call through a bare forwarding hop median %.3f ms  p99 %.3f ms: ratio %.2f, median added %.3f ms, p99 added %.3f ms)%n", h50 / 1e6, h99 / 1e6, h50 / d50, (h50 - d50) / 1e6, (h99 - d99) / 1e6);
      System.out.printf("bench: the gateway's own work beyond a bare hop: median %+.3f ms  p99 %+.3f ms%n", (g50 - h50) / 1e6, (g99 - h99) / 1e6);
      System.out.printf("bench: (audit floor: one activity row committed, median %.3f ms  p99 %.3f ms) the gateway's own work beyond a bare hop and that row: median %+.3f ms%n", median(t[4]) / 1e6, p99(t[4]) / 1e6, (g50 - h50 - median(t[4])) / 1e6);
      try (java.sql.PreparedStatement clean = db.prepareStatement("DELETE FROM connection_activity WHERE connection_id = ?")) {
        clean.setObject(1, auditConnection);
        clean.executeUpdate();
      }
      db.close();
      // CPU each call costs the app and PostgreSQL: is the added time work or waiting?
      for (int k = 1; k <= 2; k++) {
        long app0 = ticks(pid), pg0 = pgTicks();
        measure(new Call[] {kinds[k]}, runs);
        System.out.printf("bench: CPU per call, %s alone: app %.2f ms, PostgreSQL %.2f ms%n", k == 1 ? "gateway tools/call" : "API floor", (ticks(pid) - app0) * 10.0 / runs, (pgTicks() - pg0) * 10.0 / runs);
      }
      upstream.seen.clear();

      // (b) memory per idle session and (c) sessions held open at once
      long[] before = memory();
      List<Agent> open = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < sessions; i++) {
        open.add(new Agent(gatewayUrl, m.key()).open());
      }
      double openMs = (System.nanoTime() - t0) / 1e6 / sessions;
      upstream.seen.clear();
      long[] after = memory();
      System.out.printf("bench: %d idle sessions opened (%.2f ms each): heap after GC %.1f -> %.1f MiB, RSS %.1f -> %.1f MiB%n", sessions, openMs, before[0] / 1048576.0, after[0] / 1048576.0, before[1] / 1048576.0, after[1] / 1048576.0);
      System.out.printf("bench: per idle session: heap %+.0f bytes, RSS %+.0f bytes%n", (after[0] - before[0]) / (double) sessions, (after[1] - before[1]) / (double) sessions);

      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Boolean>> answers = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
          Agent a = open.get(i);
          String text = "s" + i;
          answers.add(pool.submit(() -> a.echo(text)));
        }
        int answered = 0;
        for (Future<Boolean> f : answers) {
          answered += f.get(120, TimeUnit.SECONDS) ? 1 : 0;
        }
        System.out.printf("bench: %d of %d sessions held open answered tools/call (16 at a time); peak RSS %.1f MiB of the 512 MiB container%n", answered, sessions, status("VmHWM") / 1048576.0);
        assertEquals(sessions, answered);
      } finally {
        pool.shutdownNow();
      }
    } finally {
      RestAssured.reset();
    }
  }

  /** One timed operation; true when it got the expected answer. */
  interface Call {
    boolean run(int i) throws Exception;
  }

  /** {@code n} timed calls of each kind, in alternating blocks so drift hits every kind alike. */
  static long[][] measure(Call[] kinds, int n) throws Exception {
    long[][] t = new long[kinds.length][n];
    for (int done = 0; done < n; done += BLOCK) {
      for (int k = 0; k < kinds.length; k++) {
        for (int i = done; i < Math.min(n, done + BLOCK); i++) {
          long t0 = System.nanoTime();
          boolean ok = kinds[k].run(i);
          t[k][i] = System.nanoTime() - t0;
          assertTrue(ok, "call of kind " + k + " answered");
        }
      }
    }
    return t;
  }

  /** The app's heap in use after a full GC (its /q/metrics) and its RSS, in bytes. */
  long[] memory() throws Exception {
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run").redirectErrorStream(true).start();
    String out = new String(gc.getInputStream().readAllBytes());
    assertTrue(gc.waitFor(60, TimeUnit.SECONDS) && gc.exitValue() == 0, "jcmd GC.run: " + out);
    String metrics = http.send(HttpRequest.newBuilder(URI.create(api + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    long heap = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
        heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return new long[] {heap, status("VmRSS")};
  }

  /** CPU time a process has used, in clock ticks (1/100 s). */
  static long ticks(long process) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
  }

  /** CPU ticks of the PostgreSQL postmaster and all its backends. */
  long pgTicks() throws IOException {
    long sum = ticks(pgPid);
    for (ProcessHandle child : ProcessHandle.of(pgPid).orElseThrow().children().toList()) {
      try {
        sum += ticks(child.pid());
      } catch (IOException gone) {
        // a backend that ended meanwhile
      }
    }
    return sum;
  }

  /** A line of /proc/PID/status in bytes. */
  long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException(field + " not in /proc/" + pid + "/status");
  }

  static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static double p99(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.ceil(s.length * 0.99) - 1];
  }
}
