package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.connect.ConnectLinkRequest;
import dev.plugboard.connect.ConnectLinkView;
import dev.plugboard.connect.ConnectLinks;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.McpClient;
import dev.plugboard.mcp.McpException;
import dev.plugboard.mcp.ToolListing.Reason;
import dev.plugboard.oauth.ProviderCatalog;
import dev.plugboard.oauth.StepUp;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.User;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A connection that needs a person (DESIGN §13 "In the gateway"): tells when, and answers the agent
 * with a connect link. An agent that declared URL elicitation gets JSON-RPC -32042 with the link as
 * an elicitation; any other gets, for a tool call, a tool result with {@code isError} whose text holds
 * the link (for another request, a JSON-RPC error whose message does).
 */
@ApplicationScoped
public class PersonNeeded {

  private static final Logger LOG = Logger.getLogger(PersonNeeded.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** MCP 2025-11-25 URLElicitationRequiredError. */
  static final int URL_ELICITATION_REQUIRED = -32042;
  /** The built-in tool of {@code /mcp/v1} (a connection slugged {@code plugboard} does not list its own {@code connect}). */
  static final String CONNECT_TOOL = "plugboard" + AggregateService.SEPARATOR + "connect";

  private final ConnectLinks links;
  private final ConnectionService connections;
  private final ProviderCatalog providers;

  PersonNeeded(ConnectLinks links, ConnectionService connections, ProviderCatalog providers) {
    this.links = links;
    this.connections = connections;
    this.providers = providers;
  }

  /**
   * Needs a person, as the gateway's one read of the connection already shows: broken (its refresh
   * token was refused, or its server changed), or an OAuth connection without tokens. Two field checks.
   */
  static boolean byView(ConnectionView c) {
    return c.brokenAt() != null || ("oauth".equals(c.authMethod()) && !c.hasOauthTokens());
  }

  /**
   * Whether the server's refusal of the connection's credentials (after any bearer renewal failed)
   * needs a person: a 401 to stored secret headers, or an OAuth connection whose refresh has just
   * broken it (invalid_grant), or a 403 {@code insufficient_scope} asking an MCP OAuth connection for
   * scope it lacks (step-up). A transient refresh failure does not. Reads the connection again, on this
   * failure path only.
   */
  boolean afterRefusal(Caller caller, ConnectionView c, McpException e) {
    if (e.failed().reason() == Reason.FORBIDDEN) {
      return stepUpScopes(caller, c, e).isPresent();
    }
    if (e.failed().reason() != Reason.UNAUTHORIZED) {
      return false;
    }
    if ("oauth".equals(c.authMethod())) {
      return byView(connections.get(caller, c.id()));
    }
    // Composio's key is Plugboard's own configuration, not something a person of this team types.
    return c.hasHeaders() && !"composio".equals(c.provider());
  }

  /**
   * Step-up (MCP authorization spec): the scopes an MCP OAuth connection's server asks for with 403
   * {@code insufficient_scope}, when a new authorization could grant more. Empty when the person has
   * already granted all of them and the server still refuses (asking again would loop: the refusal
   * reaches the agent as is), and for any other refusal. The connection stays usable for other tools.
   * Reads the connection again, on this failure path only, so scopes granted a moment ago count.
   */
  private Optional<List<String>> stepUpScopes(Caller caller, ConnectionView c, McpException e) {
    if (!"oauth".equals(c.authMethod()) || "native".equals(c.provider())) {
      return Optional.empty();
    }
    return StepUp.scopesAsked(e.failed().httpStatus(), e.failed().wwwAuthenticate())
        .filter(asked -> StepUp.wouldWiden(connections.get(caller, c.id()).oauthScopes(), asked));
  }

  /** Whether {@code initialize} declared {@code capabilities.elicitation.url}. */
  static boolean declaresUrlElicitation(JsonNode initialize) {
    return initialize.path("params").path("capabilities").path("elicitation").get("url") instanceof ObjectNode;
  }

  /**
   * The answer to {@code request} on a connection that needs a person: the caller's reconnect link
   * (reused while pending), or, when the caller may not change the connection, who may.
   */
  ObjectNode answer(Caller caller, ConnectionView c, JsonNode request, boolean elicitationUrl) {
    return answer(caller, c, request, elicitationUrl, null);
  }

  /**
   * The answer after {@code refusal} (for which {@link #afterRefusal} said yes): for a step-up, a
   * reconnect link whose flow asks for the scopes granted plus those the server asked for; else as
   * {@link #answer(Caller, ConnectionView, JsonNode, boolean)}.
   */
  ObjectNode answer(Caller caller, ConnectionView c, JsonNode request, boolean elicitationUrl, McpException refusal) {
    boolean toolCall = "tools/call".equals(request.path("method").asText());
    Optional<List<String>> stepUp = refusal == null || refusal.failed().reason() != Reason.FORBIDDEN ? Optional.empty() : stepUpScopes(caller, c, refusal);
    String what =
        "The connection \"" + JsonRpc.clean(c.name()) + "\" (" + c.slug() + ") needs a person to "
            + stepUp.map(s -> "grant it more access (the server asks for scope \"" + JsonRpc.clean(String.join(" ", s)) + "\")").orElse("authorize it again");
    ConnectLinkView link;
    try {
      link = stepUp.isPresent() ? links.stepUp(caller, c.id(), stepUp.get()) : links.reconnect(caller, c.id());
    } catch (ApiException e) {
      if (e.status() != 403) {
        return failure(request.get("id"), toolCall, what + ", but no link could be made: " + e.getMessage());
      }
      return failure(request.get("id"), toolCall, what + ", and only " + whoMayChange(c) + " may do that: ask them to reconnect it.");
    }
    LOG.infof("gateway: connection %s needs a person%s; answered with connect link %s", c.id(), stepUp.isPresent() ? " (step-up)" : "", link.id());
    return withLink(request.get("id"), toolCall, link, what, elicitationUrl);
  }

  /** The answer that carries {@code link}: an elicitation, or the link in text. */
  static ObjectNode withLink(JsonNode id, boolean toolCall, ConnectLinkView link, String what, boolean elicitationUrl) {
    String host = URI.create(link.url()).getAuthority();
    if (elicitationUrl) {
      ObjectNode error = JsonRpc.error(id, URL_ELICITATION_REQUIRED, what + ": open the link, then retry.");
      ObjectNode elicitation = ((ObjectNode) error.get("error")).putObject("data").putArray("elicitations").addObject();
      elicitation.put("mode", "url");
      elicitation.put("elicitationId", link.id().toString());
      elicitation.put("url", link.url());
      elicitation.put("message", what + ". The page at " + host + " asks the person to authorize; retry after authorizing.");
      return error;
    }
    String text = what + ". Open " + link.url() + " in a browser (expires " + link.expiresAt() + ") and retry after authorizing.";
    return failure(id, toolCall, text);
  }

  /** A tool result with {@code isError} for a tool call (the model reads it), else a JSON-RPC error. */
  static ObjectNode failure(JsonNode id, boolean toolCall, String text) {
    if (!toolCall) {
      return JsonRpc.error(id, GatewayService.UPSTREAM_FAILED, text);
    }
    ObjectNode result = NODES.objectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    result.put("isError", true);
    return AggregateService.response(id, result);
  }

  /** Who may re-authorize a connection the caller may not change: its creator (named) or a team admin. */
  private static String whoMayChange(ConnectionView c) {
    User creator = c.createdBy() == null ? null : User.findById(c.createdBy());
    String who = creator == null ? "its creator" : "its creator, " + JsonRpc.clean(creator.name) + " <" + JsonRpc.clean(creator.email) + ">,";
    return who + " or an admin of the team";
  }

  // ---- plugboard__connect ------------------------------------------------------------------------

  /** The built-in tool's definition; its description names what needs a person and what can be connected. */
  ObjectNode connectTool(List<ConnectionView> visible) {
    List<String> needing = visible.stream().filter(PersonNeeded::byView).map(ConnectionView::slug).toList();
    List<String> configured = providers.configured();
    StringBuilder d = new StringBuilder("Ask a person to connect an account or to authorize a connection again. Answers with a link"
        + " the person opens in a browser; call the tool you wanted again once they have finished.");
    d.append(needing.isEmpty() ? " No connection needs a person now." : " Connections that need a person now: " + String.join(", ", needing) + ".");
    d.append(configured.isEmpty() ? " No provider is configured." : " Providers that can be connected: " + String.join(", ", configured) + ".");
    d.append(" Give exactly one of: connection (a connection slug to authorize again), provider, or mcp_server_url with name (an MCP server that signs in with OAuth).");
    ObjectNode tool = NODES.objectNode();
    tool.put("name", CONNECT_TOOL);
    tool.put("title", "Connect an account");
    tool.put("description", d.toString());
    ObjectNode schema = tool.putObject("inputSchema");
    schema.put("type", "object");
    ObjectNode props = schema.putObject("properties");
    props.putObject("connection").put("type", "string").put("description", "slug of a connection to authorize again");
    ObjectNode provider = props.putObject("provider").put("type", "string").put("description", "a provider to connect");
    if (!configured.isEmpty()) {
      configured.forEach(provider.putArray("enum")::add);
    }
    props.putObject("mcp_server_url").put("type", "string").put("format", "uri").put("description", "URL of an MCP server to connect");
    props.putObject("name").put("type", "string").put("description", "name for the new connection (with mcp_server_url)");
    return tool;
  }

  /** Runs {@code plugboard__connect}: a link for the target it names, answered as any link is. */
  ObjectNode connect(Caller caller, List<ConnectionView> visible, JsonNode call, boolean elicitationUrl) {
    JsonNode id = call.get("id");
    JsonNode args = call.path("params").path("arguments");
    String slug = text(args, "connection");
    String provider = text(args, "provider");
    String serverUrl = text(args, "mcp_server_url");
    String name = text(args, "name");
    int targets = (slug != null ? 1 : 0) + (provider != null ? 1 : 0) + (serverUrl != null ? 1 : 0);
    if (targets != 1 || (serverUrl != null) != (name != null)) {
      return failure(id, true, "Give exactly one of: connection (a slug), provider, or mcp_server_url with name.");
    }
    if (slug != null) {
      ConnectionView c = visible.stream().filter(v -> v.slug().equals(slug)).findFirst().orElse(null);
      if (c == null) {
        return failure(id, true, "No connection here is named " + JsonRpc.clean(slug) + ".");
      }
      return answer(caller, c, call, elicitationUrl);
    }
    ConnectLinkView link;
    try {
      link = links.create(caller, new ConnectLinkRequest(provider, serverUrl, null, null, null, null, name, (UUID) null, null, null));
    } catch (ApiException e) {
      return failure(id, true, "No link could be made: " + e.getMessage());
    }
    String what = provider != null ? "Connecting " + JsonRpc.clean(provider) + " needs a person" : "Connecting the MCP server " + JsonRpc.clean(serverUrl) + " needs a person";
    return withLink(id, true, link, what, elicitationUrl);
  }

  private static String text(JsonNode args, String field) {
    JsonNode v = args.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText().trim() : null;
  }

  /** Plugboard's own answer to {@code initialize} on a connection that needs a person: no upstream session yet. */
  static ObjectNode waitingInitializeResult(ObjectNode initialize, ConnectionView c, String version) {
    String asked = initialize.path("params").path("protocolVersion").asText("");
    ObjectNode result = NODES.objectNode();
    result.put("protocolVersion", McpClient.HANDSHAKE_VERSIONS.contains(asked) ? asked : AggregateService.NEWEST);
    result.putObject("capabilities").putObject("tools");
    result.putObject("serverInfo").put("name", "plugboard").put("version", version);
    result.put("instructions", "The connection \"" + JsonRpc.clean(c.name()) + "\" needs a person to authorize it again: every request answers with a link"
        + " until then, and works once they have.");
    return result;
  }
}
