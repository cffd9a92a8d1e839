package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request metadata headers of MCP 2026-07-28 Streamable HTTP: {@code Mcp-Method}, {@code
 * Mcp-Name} and the {@code Mcp-Param-*} headers a tool's {@code x-mcp-header} annotations ask for,
 * with the revision's value encoding ({@code =?base64?…?=} for a value that is not plain header-safe
 * ASCII). Both sides use it: the upstream client to write them, the gateway to check an agent's.
 */
public final class McpHeaders {

  public static final String METHOD = "Mcp-Method";
  public static final String NAME = "Mcp-Name";
  public static final String PARAM_PREFIX = "Mcp-Param-";

  private static final String SENTINEL_START = "=?base64?";
  private static final String SENTINEL_END = "?=";
  /** RFC 9110 token characters: what an {@code x-mcp-header} name may be made of. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  /**
   * The {@code Mcp-Param-*} headers of the 2026-07-28 agent whose request this thread is serving
   * (empty: it sent none); null while serving anyone else. The gateway sets it around a modern
   * agent's request, so that the upstream side forwards those headers and treats the request as
   * the agent's own.
   */
  private static final ThreadLocal<Map<String, String>> AGENT_PARAMS = new ThreadLocal<>();

  private McpHeaders() {}

  /** Runs {@code work} as the request of a 2026-07-28 agent that sent {@code params}. */
  public static <T> T asModernAgent(Map<String, String> params, java.util.function.Supplier<T> work) {
    Map<String, String> before = AGENT_PARAMS.get();
    AGENT_PARAMS.set(Map.copyOf(params));
    try {
      return work.get();
    } finally {
      AGENT_PARAMS.set(before);
    }
  }

  /** The agent's Mcp-Param-* headers (see {@link #asModernAgent}); null when no 2026-07-28 agent's request is being served. */
  static Map<String, String> agentParams() {
    return AGENT_PARAMS.get();
  }

  /** The {@code Mcp-Param-*} headers among {@code headers} (names as sent; a repeated header: its values joined, so it cannot pass as well formed). */
  public static Map<String, String> paramsIn(Map<String, java.util.List<String>> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          if (name.regionMatches(true, 0, PARAM_PREFIX, 0, PARAM_PREFIX.length()) && !values.isEmpty()) {
            out.put(name, values.size() == 1 ? values.get(0) : String.join("\n", values));
          }
        });
    return out;
  }

  /** Whether a header value is well formed: header-safe ASCII, and a sentinel value that decodes. */
  public static boolean wellFormed(String header) {
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (!((c >= 0x20 && c <= 0x7e) || c == '\t')) {
        return false;
      }
    }
    return decode(header) != null;
  }

  /**
   * Why the agent's {@code Mcp-Param-*} headers disagree with those the body asks for ({@code
   * expected}, from the tool's schema): a header missing, or a different value after decoding
   * (integers compare as numbers); null when they agree. Header names compare ignoring case; a
   * header the schema does not name is not the server's to judge and is ignored.
   */
  public static String disagreement(Map<String, String> sent, Map<String, String> expected) {
    Map<String, String> got = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    got.putAll(sent);
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String value = got.remove(e.getKey());
      String wanted = decode(e.getValue());
      if (value == null) {
        return "the " + e.getKey() + " header is required";
      }
      if (!wanted.equals(decode(value)) && !sameNumber(wanted, decode(value))) {
        return e.getKey() + " header value '" + JsonRpc.clean(value) + "' does not match body value '" + JsonRpc.clean(wanted) + "'";
      }
    }
    return null;
  }

  private static boolean sameNumber(String a, String b) {
    try {
      return b != null && new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b.trim())) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The body value {@code Mcp-Name} mirrors: {@code params.name} of tools/call and prompts/get,
   * {@code params.uri} of resources/read; null for every other method (or when it is absent).
   */
  public static String nameOf(JsonNode message) {
    String field =
        switch (message.path("method").asText("")) {
          case "tools/call", "prompts/get" -> "name";
          case "resources/read" -> "uri";
          default -> null;
        };
    JsonNode value = field == null ? null : message.path("params").get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** A value as a header carries it: as is when plain header-safe ASCII, else Base64 in the sentinel. */
  public static String encode(String value) {
    boolean plain = !value.isEmpty() && !Character.isWhitespace(value.charAt(0)) && !Character.isWhitespace(value.charAt(value.length() - 1));
    for (int i = 0; plain && i < value.length(); i++) {
      char c = value.charAt(i);
      plain = (c >= 0x20 && c <= 0x7e) || c == '\t';
    }
    if (plain && !(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END))) {
      return value;
    }
    return SENTINEL_START + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + SENTINEL_END;
  }

  /** A header value decoded (the sentinel form undone); null when it is malformed. */
  public static String decode(String header) {
    if (header == null) {
      return null;
    }
    if (!(header.startsWith(SENTINEL_START) && header.endsWith(SENTINEL_END) && header.length() >= SENTINEL_START.length() + SENTINEL_END.length())) {
      return header;
    }
    try {
      byte[] raw = Base64.getDecoder().decode(header.substring(SENTINEL_START.length(), header.length() - SENTINEL_END.length()));
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString(); // strict: malformed UTF-8 is refused
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  /**
   * The {@code Mcp-Param-*} headers a tools/call of a tool with {@code inputSchema} carries for
   * {@code arguments}: one per {@code x-mcp-header} annotation whose value is present and not null.
   */
  public static Map<String, String> params(JsonNode inputSchema, JsonNode arguments) {
    Map<String, String> out = new LinkedHashMap<>();
    collect(inputSchema, arguments, out);
    return out;
  }

  private static void collect(JsonNode schema, JsonNode instance, Map<String, String> out) {
    if (schema == null || !(schema.get("properties") instanceof ObjectNode properties)) {
      return;
    }
    properties.fields().forEachRemaining(
        p -> {
          JsonNode value = instance == null ? null : instance.get(p.getKey());
          JsonNode header = p.getValue().get("x-mcp-header");
          if (header != null && header.isTextual() && value != null && !value.isNull()) {
            String text = value.isTextual() ? value.asText() : value.isBoolean() ? String.valueOf(value.asBoolean()) : value.isNumber() ? integer(value) : null;
            if (text != null) {
              out.put(PARAM_PREFIX + header.asText(), encode(text));
            }
          }
          if (value != null && value.isObject()) {
            collect(p.getValue(), value, out);
          }
        });
  }

  /** An integer argument as decimal digits (42.0 is 42); null for a fraction. */
  private static String integer(JsonNode value) {
    double d = value.asDouble();
    return d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER ? String.valueOf((long) d) : null;
  }

  /**
   * Whether a tool definition's {@code x-mcp-header} annotations follow the revision's rules (a
   * token, unique ignoring case, on a primitive property reachable through {@code properties} only).
   * A client over Streamable HTTP must leave out a tool that breaks them.
   */
  public static boolean validAnnotations(JsonNode inputSchema) {
    return inputSchema == null || valid(inputSchema, true, new HashSet<>());
  }

  private static boolean valid(JsonNode schema, boolean reachable, Set<String> names) {
    if (schema.isArray()) {
      for (JsonNode item : schema) {
        if (!valid(item, false, names)) {
          return false;
        }
      }
      return true;
    }
    if (!schema.isObject()) {
      return true;
    }
    JsonNode header = schema.get("x-mcp-header");
    if (header != null) {
      String type = schema.path("type").asText("");
      if (!reachable || !header.isTextual() || !TOKEN.matcher(header.asText()).matches() || !names.add(header.asText().toLowerCase(Locale.ROOT))
          || !(type.equals("string") || type.equals("integer") || type.equals("boolean"))) {
        return false;
      }
    }
    var fields = schema.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      if (f.getKey().equals("properties") && f.getValue().isObject()) {
        var props = f.getValue().fields();
        while (props.hasNext()) {
          if (!valid(props.next().getValue(), reachable, names)) {
            return false;
          }
        }
      } else if (!f.getKey().equals("x-mcp-header") && !valid(f.getValue(), false, names)) {
        return false;
      }
    }
    return true;
  }
}
