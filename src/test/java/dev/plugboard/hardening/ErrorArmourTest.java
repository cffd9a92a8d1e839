package dev.plugboard.hardening;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.hardening.Endpoints.Endpoint;
import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile input against every endpoint of {@link Endpoints}: whatever arrives, the answer
 * is never a 5xx and every error is exactly the envelope. Inputs come from jqwik arbitraries with a
 * fixed seed (reproducible), driven from a plain loop because jqwik's engine does not run
 * {@code @QuarkusTest} classes.
 */
@QuarkusTest
class ErrorArmourTest {

  private static final long SEED = 20261127L;
  private static final int SAMPLES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RestAssuredConfig RAW = RestAssuredConfig.config()
      .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

  private static final List<String> FIELDS =
      List.of("name", "server_url", "provider", "auth_method", "type", "headers", "plaintext", "secret",
          "transport_type", "custom_integration_id", "shared", "composio_mcp_id", "limit", "offset", "x");

  /** JSON values of every shape and the edges of each: huge numbers, nulls, odd strings, nesting. */
  static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of("null", "true", "false", "0", "-0", "1e999999", "-1e-999999", "123456789012345678901234567890123456789",
                "9223372036854775808", "1.5", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"https://mcp.example.test/mcp\"",
                "\"user\"", "\"url\"", "\"apikey\"", "\"headers\"", "\"oauth\"", "\"sse\"", "\"ftp://x\"", "\"http://[::1\"",
                "\"" + "a".repeat(5000) + "\"", "{}", "[]"),
            Arbitraries.strings().all().ofMaxLength(40).map(ErrorArmourTest::quote),
            Arbitraries.longs().map(String::valueOf),
            Arbitraries.doubles().map(String::valueOf));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> object =
        Arbitraries.lazy(() -> jsonValue(depth - 1))
            .list().ofMaxSize(4)
            .flatMap(values -> Arbitraries.of(FIELDS).list().ofSize(values.size()).map(names -> object(names, values)));
    Arbitrary<String> array = Arbitraries.lazy(() -> jsonValue(depth - 1)).list().ofMaxSize(4).map(v -> "[" + String.join(",", v) + "]");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, scalar), net.jqwik.api.Tuple.of(3, object), net.jqwik.api.Tuple.of(1, array));
  }

  private static String object(List<String> names, List<String> values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < names.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(quote(names.get(i))).append(':').append(values.get(i));
    }
    return sb.append('}').toString();
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Request bodies: generated JSON plus the classic breakers as bytes. */
  static Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> generated = jsonValue(3).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> breakers =
        Arbitraries.of(
            "{\"name\":\"a\",\"name\":\"b\",\"server_url\":\"https://x.test\",\"provider\":\"user\",\"auth_method\":\"url\"}",
            "[".repeat(5000) + "]".repeat(5000),
            "{\"headers\":".repeat(2000) + "{}" + "}".repeat(2000),
            "{\"name\":\"x\"",
            "{\"name\":\"x\"}{\"name\":\"y\"}",
            "{'name':'x'}",
            "",
            "null",
            "{\"headers\":{\"secret\":{\"Authorization\":null}}}",
            "{\"headers\":{\"plaintext\":{\"X\":1}},\"name\":\"x\",\"server_url\":\"https://x.test\",\"provider\":\"user\",\"auth_method\":\"headers\"}",
            "{\"name\":\"nul\\u0000byte\",\"server_url\":\"https://x.test\",\"provider\":\"user\",\"auth_method\":\"url\"}",
            "{\"name\":\"x\",\"server_url\":\"https://x.test/\\u0000\",\"provider\":\"user\",\"auth_method\":\"url\"}",
            "{\"shared\":\"true\"}",
            "{\"shared\":1}",
            "{\"name\":123456789012345678901234567890}")
            .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> invalidUtf8 =
        Arbitraries.of(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
            new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}'},
            new byte[] {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'});
    Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, generated), net.jqwik.api.Tuple.of(3, breakers),
        net.jqwik.api.Tuple.of(1, invalidUtf8), net.jqwik.api.Tuple.of(1, randomBytes));
  }

  /** Path ids: anything but a UUID of a visible connection. */
  static Arbitrary<String> pathIds() {
    return Arbitraries.oneOf(
        Arbitraries.of("0", "-1", "null", "undefined", "..", ".", "%", "%00", "%2F", "a/b", "a?b", "a#b", " ",
            "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "{00000000-0000-0000-0000-000000000000}",
            "00000000-0000-0000-0000-0000000000000", "x".repeat(3000), "'; DROP TABLE connections; --", "\u0000", "😀"),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(50),
        Arbitraries.strings().withCharRange('0', 'f').ofLength(36));
  }

  /** Query strings: repeated, out-of-range, non-numeric, empty and unknown parameters. */
  static Arbitrary<String> queries() {
    Arbitrary<String> name = Arbitraries.of("limit", "offset", "type", "x", "limit[]", "");
    Arbitrary<String> value = Arbitraries.oneOf(
        Arbitraries.of("", "0", "1", "100", "101", "-1", "1e3", "1.0", "99999999999999999999", "0x10", " 5", "null", "%00", "%ff", "%C3%28"),
        Arbitraries.strings().alpha().numeric().ofMaxLength(10));
    return net.jqwik.api.Combinators.combine(name, value).as((n, v) -> encode(n) + "=" + (v.matches("(%[0-9A-Fa-f]{2})+") ? v : encode(v))).list().ofMinSize(1).ofMaxSize(5)
        .map(parts -> String.join("&", parts));
  }

  /** {@code count} values of {@code arbitrary} from a fixed seed (a jqwik session outside a property). */
  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static <T> Iterator<T> samples(Arbitrary<T> arbitrary, long seed, int count) {
    List<T> values = new ArrayList<>();
    JqwikSession.start();
    try {
      RandomGenerator<T> generator = arbitrary.generator(100, true);
      Random random = new Random(seed);
      for (int i = 0; i < count; i++) {
        values.add(generator.next(random).value());
      }
    } finally {
      JqwikSession.finish();
    }
    return values.iterator();
  }

  private static RequestSpecification as(Member m, Endpoint e) {
    String auth = e.internal() ? "Bearer " + Fixtures.INTERNAL_TOKEN : "Bearer " + m.key();
    return RestAssured.given().config(RAW).urlEncodingEnabled(true).header("Authorization", auth);
  }

  /** The contract for any answer: below 500, and every error exactly {error, message}. */
  private static void check(List<String> failures, String what, Response r) {
    int status = r.statusCode();
    if (status >= 500) {
      failures.add(what + " -> " + status + " " + abbreviate(r.asString()));
      return;
    }
    if (status >= 400) {
      try {
        JsonNode body = JSON.readTree(r.asByteArray());
        boolean envelope = body != null && body.isObject() && body.size() == 2 && body.path("error").isTextual() && body.path("message").isTextual();
        String type = r.contentType();
        if (!envelope || type == null || !type.startsWith("application/json")) {
          failures.add(what + " -> " + status + " not the envelope: " + type + " " + abbreviate(r.asString()));
        }
      } catch (Exception e) {
        failures.add(what + " -> " + status + " not JSON: " + abbreviate(r.asString()));
      }
    }
  }

  private static void checkRaw(List<String> failures, String what, RawHttp.Answer a) {
    if (a.status() >= 500) {
      failures.add(what + " -> " + a.status() + " " + abbreviate(a.body()));
    } else if (a.status() >= 400) {
      try {
        JsonNode body = JSON.readTree(a.body());
        boolean envelope = body != null && body.isObject() && body.size() == 2 && body.path("error").isTextual() && body.path("message").isTextual();
        if (!envelope || a.contentType() == null || !a.contentType().startsWith("application/json")) {
          failures.add(what + " -> " + a.status() + " not the envelope: " + a.contentType() + " " + abbreviate(a.body()));
        }
      } catch (Exception e) {
        failures.add(what + " -> " + a.status() + " not JSON: " + abbreviate(a.body()));
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static String show(byte[] body) {
    return abbreviate(new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void bodiesOfAnyShapeNeverCauseA5xxOrANonEnvelopeError() {
    Member m = Fixtures.newMember();
    String existing = Fixtures.create(m, Fixtures.mcpConnection("fuzz target"));
    List<String> failures = new ArrayList<>();
    Iterator<byte[]> bodies = samples(bodies(), SEED, SAMPLES * 3);
    for (Endpoint e : Endpoints.ALL) {
      // The connection's own bodies; the others would reach outbound or unconfigured peers (MissingBodyTest covers their body rule).
      if (e.body() != Endpoints.Body.CREATE && e.body() != Endpoints.Body.PATCH) {
        continue;
      }
      for (int i = 0; i < SAMPLES; i++) {
        byte[] body = bodies.next();
        for (String type : List.of("application/json", "application/json; charset=utf-8")) {
          Response r = as(m, e).contentType(type).body(body).request(e.method(), e.path().replace("{id}", existing));
          check(failures, e.key() + " body " + show(body), r);
        }
      }
      Response wrongType = as(m, e).contentType("text/plain").body("name=x").request(e.method(), e.path().replace("{id}", existing));
      check(failures, e.key() + " text/plain", wrongType);
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void oddPathIdsAndQueryStringsNeverCauseA5xxOrANonEnvelopeError() {
    Member m = Fixtures.newMember();
    List<String> failures = new ArrayList<>();
    Iterator<String> ids =
        samples(pathIds(), SEED + 1, SAMPLES * (int) Endpoints.ALL.stream().filter(Endpoint::onConnection).count());
    for (Endpoint e : Endpoints.ALL) {
      if (!e.onConnection()) {
        continue;
      }
      for (int i = 0; i < SAMPLES; i++) {
        String id = ids.next();
        RequestSpecification spec = as(m, e).urlEncodingEnabled(false).contentType("application/json");
        if (e.body() == Endpoints.Body.PATCH) {
          spec.body("{\"name\":\"x\"}");
        }
        String segment = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        Response r = spec.request(e.method(), e.path().replace("{id}", segment));
        check(failures, e.key() + " id " + abbreviate(id), r);
      }
    }
    Iterator<String> queries = samples(queries(), SEED + 2, SAMPLES * 3);
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < SAMPLES * 3; i++) {
      targets.add("/v1/connections?" + queries.next());
    }
    targets.addAll(List.of("/v1/connections/%C3%28", "/v1/connections/%00", "/v1/connections?limit=%ff",
        "/v1/connections/..%2F..%2Fadmin", "/v1/connections//credentials", "/v1/connections;x=1",
        "/v1/connections?limit=1&limit=2", "/v1/connections?offset=1e3&offset=", "/v1/connections?&&==&"));
    for (String target : targets) {
      RawHttp.Answer a = RawHttp.get(target, "Bearer " + m.key());
      checkRaw(failures, "GET " + target, a);
    }
    // Targets the HTTP server cannot decode never reach the application: Vert.x answers 400 itself
    // (empty body); what holds is that they are refused as the client's fault.
    for (String target : List.of("/v1/connections/%zz", "/v1/connections/%", "/v1/connections?limit=%")) {
      RawHttp.Answer a = RawHttp.get(target, "Bearer " + m.key());
      if (a.status() != 400) {
        failures.add("GET " + target + " -> " + a.status());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void chunkedBodiesOverTheCapAre413Envelopes() {
    Member m = Fixtures.newMember();
    List<String> failures = new ArrayList<>();
    byte[] big = ("{\"name\":\"" + "a".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    for (String target : List.of("/v1/connections", "/v1/connections/mcp/probe")) {
      RawHttp.Answer a = RawHttp.postChunked(target, "Bearer " + m.key(), big);
      if (a.status() != 413) {
        failures.add("chunked POST " + target + " -> " + a.status());
      }
      checkRaw(failures, "chunked POST " + target, a);
    }
    // Under the cap, the same way of sending is read whole and reaches the application.
    byte[] fits =
        "{\"name\":\"sent in chunks\",\"server_url\":\"https://mcp.example.test/mcp\",\"provider\":\"user\",\"auth_method\":\"url\"}"
            .getBytes(StandardCharsets.UTF_8);
    RawHttp.Answer small = RawHttp.postChunked("/v1/connections", "Bearer " + m.key(), fits);
    assertEquals(201, small.status(), small.body());
    assertTrue(small.body().contains("\"name\":\"sent in chunks\""), small.body());
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void badAuthorizationHeadersAreAlways401Envelopes() {
    List<String> failures = new ArrayList<>();
    Iterator<String> values = samples(Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(300).map(s -> "Bearer " + s),
        Arbitraries.strings().ascii().ofMaxLength(100),
        Arbitraries.of("Bearer", "Bearer ", "bearer pb_", "Basic dXNlcjpwYXNz", "Bearer pb_" + "A".repeat(43), "Bearer " + "x".repeat(8000))), SEED + 3, SAMPLES * 2);
    for (int i = 0; i < SAMPLES * 2; i++) {
      String value = values.next().replaceAll("[\\r\\n\\x00-\\x1f\\x7f]", "");
      Endpoint e = Endpoints.ALL.get(i % Endpoints.ALL.size());
      Response r = RestAssured.given().header("Authorization", value).contentType("application/json").body("{}")
          .request(e.method(), e.path().replace("{id}", java.util.UUID.randomUUID().toString()));
      check(failures, e.key() + " Authorization " + abbreviate(value), r);
      if (r.statusCode() != 401) {
        failures.add(e.key() + " Authorization " + abbreviate(value) + " -> " + r.statusCode());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }
}
