package dev.plugboard.mcp;

import dev.plugboard.api.ApiException;
import dev.plugboard.mcp.ProbeViews.ProbeRequest;
import dev.plugboard.mcp.ProbeViews.ProbeResult;
import dev.plugboard.mcp.ProbeViews.ToolView;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Listed;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** Tries an MCP server for a caller; writes nothing. */
@ApplicationScoped
public class ProbeService {

  private static final Logger LOG = Logger.getLogger(ProbeService.class);
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,256}");
  private static final int MAX_URL = 2048;
  private static final int MAX_HEADERS = 50;
  private static final int MAX_VALUE = 8192;

  private final McpClient client;

  public ProbeService(McpClient client) {
    this.client = client;
  }

  public ProbeResult probe(ProbeRequest in) {
    String url = checkUrl(in.serverUrl());
    Map<String, String> headers = in.headers() == null ? Map.of() : in.headers();
    checkHeaders(headers);
    ToolListing listing = client.listTools(url, headers);
    if (listing instanceof Listed l) {
      LOG.debugf("probe of %s: %d tools over %s %s", hostOf(url), l.tools().size(), l.transport(), l.protocolVersion());
      return new ProbeResult(true, l.tools().stream().map(t -> new ToolView(t.name(), t.description(), t.inputSchema())).toList(), null);
    }
    Failed f = (Failed) listing;
    LOG.debugf("probe of %s failed: %s", hostOf(url), f.reason());
    return new ProbeResult(false, null, f.message());
  }

  private static String checkUrl(String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.validation("server_url", "is required");
    }
    if (value.length() > MAX_URL) {
      throw ApiException.validation("server_url", "at most " + MAX_URL + " characters");
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.isAbsolute() && (scheme.equals("http") || scheme.equals("https")) && uri.getRawAuthority() != null) {
        return value;
      }
    } catch (Exception e) {
      // reported below
    }
    throw ApiException.validation("server_url", "must be an absolute http(s) URL");
  }

  private static void checkHeaders(Map<String, String> headers) {
    if (headers.size() > MAX_HEADERS) {
      throw ApiException.validation("headers", "at most " + MAX_HEADERS + " headers");
    }
    Set<String> seen = new HashSet<>();
    headers.forEach(
        (name, value) -> {
          if (!TOKEN.matcher(name).matches()) {
            throw ApiException.validation("headers", "'" + JsonRpc.clean(name) + "' is not a valid HTTP header name");
          }
          if (!seen.add(name.toLowerCase(Locale.ROOT))) {
            throw ApiException.validation("headers", "header '" + name + "' is given more than once");
          }
          if (value == null) {
            throw ApiException.validation("headers." + name, "must be a string");
          }
          if (value.length() > MAX_VALUE) {
            throw ApiException.validation("headers." + name, "longer than " + MAX_VALUE + " characters");
          }
          if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw ApiException.validation("headers." + name, "must not contain CR, LF or NUL");
          }
        });
  }

  private static String hostOf(String url) {
    return URI.create(url).getHost();
  }
}
