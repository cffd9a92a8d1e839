package dev.plugboard.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plugboard.mcp.ToolListing.Listed;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by bench/probe.sh: the time of one probe of a local MCP server (the SDK's Streamable HTTP
 * server on 127.0.0.1) against the bare protocol exchange a minimal client does with the same
 * server (initialize, notifications/initialized, tools/list: three round trips on kept-alive
 * connections). The API is called the same way. Prints medians and ratios; asserts only that every
 * run listed the tools.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "plugboard.bench", matches = "true")
class ProbeBenchmark {

  /** Runs of each kind before measuring: the JIT needs thousands on two shared cores. */
  private static final int WARMUP = 8000;
  private static final int RUNS = 2000;
  private static final int BLOCK = 100;
  /** Warm-up figures are printed after each stage, to show how the ratio settles. */
  private static final int STAGE = 1000;

  @Inject McpClient client;

  @TestHTTPResource("/v1/connections/mcp/probe")
  URI probe;

  @TestHTTPResource("/v1/connections?limit=1")
  URI list;

  @Test
  void probeVersusBareExchange() throws Exception {
    try (McpPeers peers = new McpPeers()) {
      String url = peers.base() + "/mcp";
      HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Member m = Fixtures.newMember();
      // The API is called like the server: java.net.http on a kept-alive connection.
      HttpRequest probeRequest =
          HttpRequest.newBuilder(probe)
              .header("Authorization", "Bearer " + m.key())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"server_url\":\"" + url + "\"}"))
              .build();
      HttpRequest listRequest = HttpRequest.newBuilder(list).header("Authorization", "Bearer " + m.key()).build();
      Map<String, Run> kinds = new LinkedHashMap<>();
      kinds.put("minimal", () -> assertTrue(bareExchange(bare, url).contains("\"echo\"")));
      kinds.put("library", () -> assertEquals(2, assertInstanceOf(Listed.class, client.listTools(url, Map.of())).tools().size()));
      kinds.put("endpoint", () -> {
        HttpResponse<String> answer = bare.send(probeRequest, HttpResponse.BodyHandlers.ofString());
        assertTrue(answer.body().startsWith("{\"success\":true"), answer.body());
      });
      kinds.put("api", () -> assertEquals(200, bare.send(listRequest, HttpResponse.BodyHandlers.discarding()).statusCode()));

      for (int stage = 1; stage <= WARMUP / STAGE; stage++) {
        Map<String, long[]> t = measure(kinds, STAGE);
        System.out.printf(
            "bench: warm-up, %5d runs of each done: minimal %.3f ms, probe %.3f ms, ratio %.2f%n",
            stage * STAGE, median(t.get("minimal")) / 1e6, median(t.get("endpoint")) / 1e6, median(t.get("endpoint")) / median(t.get("minimal")));
      }
      Map<String, long[]> t = measure(kinds, RUNS);
      double base = median(t.get("minimal"));
      System.out.printf("bench: minimal client, 3 round trips   median %.3f ms%n", base / 1e6);
      System.out.printf("bench: McpClient.listTools            median %.3f ms  ratio %.2f%n", median(t.get("library")) / 1e6, median(t.get("library")) / base);
      System.out.printf("bench: POST /v1/connections/mcp/probe median %.3f ms  ratio %.2f%n", median(t.get("endpoint")) / 1e6, median(t.get("endpoint")) / base);
      System.out.printf("bench: (API baseline: GET /v1/connections?limit=1 median %.3f ms)%n", median(t.get("api")) / 1e6);
    }
  }

  /**
   * {@code runs} timed runs of every kind, in blocks of one kind at a time, rotated: a probe ends
   * its MCP session with a DELETE sent after it returns, which would otherwise land on the next,
   * different measurement.
   */
  private static Map<String, long[]> measure(Map<String, Run> kinds, int runs) throws Exception {
    Map<String, long[]> times = new LinkedHashMap<>();
    kinds.keySet().forEach(k -> times.put(k, new long[runs]));
    for (int done = 0; done < runs; done += BLOCK) {
      for (var kind : kinds.entrySet()) {
        long[] into = times.get(kind.getKey());
        for (int i = done; i < Math.min(runs, done + BLOCK); i++) {
          long t0 = System.nanoTime();
          kind.getValue().run();
          into[i] = System.nanoTime() - t0;
        }
      }
    }
    return times;
  }

  /** initialize, notifications/initialized, tools/list with the session id, as a minimal client would. */
  private static String bareExchange(HttpClient http, String url) throws Exception {
    HttpResponse<String> init =
        http.send(
            post(url, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bare\",\"version\":\"1\"}}}"),
            HttpResponse.BodyHandlers.ofString());
    String session = init.headers().firstValue("mcp-session-id").orElseThrow();
    http.send(post(url, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.discarding());
    return http.send(post(url, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static HttpRequest post(String url, String session, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }
    return b.build();
  }

  /** One timed operation. */
  private interface Run {
    void run() throws Exception;
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
