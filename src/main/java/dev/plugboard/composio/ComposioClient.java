package dev.plugboard.composio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * Typed client for the Composio v3 REST API (RESEARCH §1). Reads Composio's answers leniently
 * (current and deprecated field names) and turns every failure into an {@link ApiException} through
 * {@link #composioErrorFor}. The API key travels only in the {@code x-api-key} header: it is never
 * logged and never part of an error message.
 */
@ApplicationScoped
public class ComposioClient {

  private static final Logger LOG = Logger.getLogger(ComposioClient.class);
  private static final int MAX_MESSAGE = 500;

  @Inject ComposioConfig config;
  @Inject ObjectMapper mapper;

  private volatile ComposioApi api;

  /** A connected account as {@code POST /connected_accounts} returned it. */
  public record CreatedAccount(String id, String status, String redirectUrl) {}

  /** The parts of {@code GET /connected_accounts/{id}} that finalize needs (never its {@code state}). */
  public record Account(String id, String status, String toolkit, String authConfigId) {}

  public boolean configured() {
    return config.apiKey().filter(k -> !k.isBlank()).isPresent();
  }

  public void requireConfigured() {
    if (!configured()) {
      throw ApiException.serviceUnavailable("Composio is not configured on this Plugboard instance");
    }
  }

  public CreatedAccount createConnectedAccount(ObjectNode body) {
    JsonNode r = call("create connected account", (api, key) -> api.createConnectedAccount(key, body));
    String id = text(r.get("id"));
    if (id == null) {
      throw ApiException.upstream("Composio returned no connected account id");
    }
    JsonNode val = r.path("connectionData").path("val");
    return new CreatedAccount(
        id, first(text(val.get("status")), text(r.get("status"))), first(text(val.get("redirectUrl")), text(r.get("redirect_url"))));
  }

  public Account connectedAccount(String id) {
    JsonNode r = call("get connected account", (api, key) -> api.connectedAccount(key, id));
    return new Account(
        first(text(r.get("id")), id),
        first(text(r.get("status")), text(r.path("state").path("val").get("status"))),
        text(r.path("toolkit").get("slug")),
        text(r.path("auth_config").get("id")));
  }

  /** Creates a single-toolkit MCP server for {@code authConfigId}; returns its id. */
  public String createMcpServer(String name, String authConfigId) {
    ObjectNode body = mapper.createObjectNode();
    body.put("name", name);
    body.putArray("auth_config_ids").add(authConfigId);
    JsonNode r = call("create MCP server", (api, key) -> api.createMcpServer(key, body));
    String id = text(r.get("id"));
    if (id == null) {
      throw ApiException.upstream("Composio returned no MCP server id");
    }
    return id;
  }

  /** The MCP URL of {@code serverId} bound to exactly {@code connectedAccountId}. */
  public String generateUrl(String serverId, String connectedAccountId) {
    ObjectNode body = mapper.createObjectNode();
    body.put("mcp_server_id", serverId);
    body.putArray("connected_account_ids").add(connectedAccountId);
    JsonNode r = call("generate MCP URL", (api, key) -> api.generateMcpUrls(key, body));
    String url = text(r.path("connected_account_urls").path(0));
    if (url != null) {
      return url;
    }
    // Older answers carry only the base URL; the account is then selected by its documented query parameter.
    String base = text(r.get("mcp_url"));
    if (base == null) {
      throw ApiException.upstream("Composio generated no MCP URL for the connected account");
    }
    return base + (base.contains("?") ? "&" : "?") + "connected_account_ids="
        + java.net.URLEncoder.encode(connectedAccountId, java.nio.charset.StandardCharsets.UTF_8);
  }

  public void deleteConnectedAccount(String id) {
    call("delete connected account", (api, key) -> api.deleteConnectedAccount(key, id));
  }

  public void deleteMcpServer(String id) {
    call("delete MCP server", (api, key) -> api.deleteMcpServer(key, id));
  }

  /** Composio's answer to a failed call as the error Plugboard's caller sees (DESIGN §7). */
  static ApiException composioErrorFor(int status, JsonNode body) {
    JsonNode error = body == null ? MissingNode.getInstance() : body.path("error");
    String message = first(text(error.get("message")), text(error.isTextual() ? error : null));
    String text = message == null ? "Composio answered HTTP " + status : truncate(message);
    return switch (status) {
      case 400, 422 -> new ApiException(status, "validation_failed", text);
      case 404 -> new ApiException(404, "not_found", text);
      case 409 -> new ApiException(409, "conflict", text);
      case 401, 403 ->
          ApiException.upstream(
              "Composio refused Plugboard's credentials (HTTP " + status + "); the operator must check the Composio API key");
      default ->
          ApiException.upstream("Composio failed with HTTP " + status + (message == null ? "" : ": " + text));
    };
  }

  private JsonNode call(String what, BiFunction<ComposioApi, String, Response> request) {
    requireConfigured();
    String key = config.apiKey().orElseThrow();
    Response response;
    String raw;
    try {
      response = request.apply(api(), key);
      raw = response.hasEntity() ? response.readEntity(String.class) : "";
    } catch (RuntimeException e) {
      if (isTimeout(e)) {
        LOG.warnf("Composio %s: no answer within %s", what, describe(config.timeout()));
        throw ApiException.upstreamTimeout("Composio did not answer within " + describe(config.timeout()));
      }
      LOG.warnf("Composio %s failed: %s", what, e.getClass().getName());
      throw ApiException.upstream("Composio could not be reached");
    }
    int status = response.getStatus();
    response.close();
    JsonNode body = parse(raw);
    if (status >= 200 && status < 300) {
      return body;
    }
    ApiException mapped = composioErrorFor(status, body);
    LOG.infof("Composio %s answered HTTP %d (%s)", what, status, first(text(body.path("error").get("slug")), "no slug"));
    throw redacted(mapped, key);
  }

  /** Composio's message is echoed to the caller; make sure it can never carry our key. */
  private static ApiException redacted(ApiException e, String key) {
    return e.getMessage().contains(key) ? new ApiException(e.status(), e.code(), e.getMessage().replace(key, "***")) : e;
  }

  private JsonNode parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return mapper.readTree(raw);
    } catch (Exception e) {
      return MissingNode.getInstance();
    }
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
    }
    return false;
  }

  private ComposioApi api() {
    ComposioApi a = api;
    if (a == null) {
      synchronized (this) {
        if (api == null) {
          api = build();
        }
        a = api;
      }
    }
    return a;
  }

  private ComposioApi build() {
    String base = config.baseUrl().replaceAll("/+$", "");
    long timeout = config.timeout().toMillis();
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(URI.create(base))
        .connectTimeout(timeout, TimeUnit.MILLISECONDS)
        .readTimeout(timeout, TimeUnit.MILLISECONDS)
        .followRedirects(false)
        .disableDefaultMapper(true)
        .build(ComposioApi.class);
  }

  private static String describe(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static String truncate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
  }
}
