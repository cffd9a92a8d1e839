package dev.plugboard.connection;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import dev.plugboard.connection.ConnectionViews.CreateRequest;
import dev.plugboard.connection.ConnectionViews.ListView;
import dev.plugboard.connection.ConnectionViews.ResolvedView;
import dev.plugboard.connection.ConnectionViews.UpdateRequest;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.HeadersInput;
import dev.plugboard.tenancy.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** The rules of connections: validation, visibility, writes, and resolution for runtimes. */
@ApplicationScoped
public class ConnectionService {

  private static final Logger LOG = Logger.getLogger(ConnectionService.class);
  static final Set<String> AUTH_METHODS = Set.of("url", "apikey", "headers", "oauth");
  static final Set<String> TRANSPORTS = Set.of("http", "sse");
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  static final int MAX_NAME = 200;
  static final int MAX_URL = 2048;

  @Inject EntityManager em;
  @Inject ConnectionReads reads;
  @Inject ConnectionCache cache;
  @Inject ConnectionSlugs slugs;
  @Inject CredentialService credentials;
  @Inject Event<ConnectionEvents.Deleting> deleting;
  @Inject Event<ConnectionEvents.Deleted> deleted;
  @Inject Instance<CredentialResolver> resolvers;
  @Inject ActivityLog activity;
  @Inject ConnectionChanges changes;

  // ---- reads ----------------------------------------------------------------------------------

  public ListView list(Caller caller, String type, int limit, long offset) {
    return reads.page(caller, type, limit, offset);
  }

  /**
   * Every connection the caller sees, newest first, from a list cached on this replica until any
   * connection changes ({@link ConnectionCache}): the aggregate gateway's read for every message.
   */
  public List<ConnectionView> visibleToGateway(Caller caller) {
    return cache.all(caller);
  }

  public ConnectionView get(Caller caller, UUID id) {
    return reads.byId(caller, id).orElseThrow(() -> ApiException.notFound("connection"));
  }

  public Map<String, String> maskedCredentials(Caller caller, UUID id) {
    Connection c = visible(caller, id, false);
    return credentials.maskedHeaders(c.id);
  }

  /**
   * A connection the caller may see (404 otherwise) and its credentials, from one read cached on
   * this replica until the row changes ({@link ConnectionCache}): the gateway's lookup for every
   * message. The secrets are decrypted, and an OAuth bearer refreshed, only when {@link
   * Usable#resolved()} is first called, and live only as long as the Usable.
   */
  public Usable usable(Caller caller, UUID id) {
    return new Usable(cache.visible(id, caller).orElseThrow(() -> ApiException.notFound("connection")));
  }

  /** {@link #usable} from this replica's cache alone (for an event loop): empty when not cached. */
  public Optional<Usable> cachedUsable(Caller caller, UUID id) {
    return cache.cached(id, caller).map(Usable::new);
  }

  /** A visible connection with its credentials still sealed until first asked for. Never log them. */
  public final class Usable {
    private final ConnectionReads.WithHeaders row;
    private ResolvedView resolved;

    private Usable(ConnectionReads.WithHeaders row) {
      this.row = row;
    }

    public ConnectionView view() {
      return row.view();
    }

    public ResolvedView resolved() {
      if (resolved == null) {
        resolved = ConnectionService.this.resolved(row);
      }
      return resolved;
    }

    /** {@link #resolved} when no resolver has to wait (no token to load or refresh): for an event loop; else empty. */
    public Optional<ResolvedView> resolvedNow() {
      if (resolved == null) {
        resolved = ConnectionService.this.resolved(row, true).orElse(null);
      }
      return Optional.ofNullable(resolved);
    }
  }

  /**
   * The connection as a runtime uses it, secrets decrypted, recording nothing (the caller records
   * its own kind of use). Never log the result.
   */
  public Optional<ResolvedView> resolve(UUID id) {
    return reads.withHeaders(id, null).map(this::resolved);
  }

  /**
   * {@link #resolve} for {@code /internal} with its audit record (the service token identifies no
   * key or user, so those stay null). The secrets leave only once their record is stored: if it
   * cannot be, the database error answers instead. A failed resolution is recorded best effort and
   * its error stands. An unknown id records nothing (no team to file it under).
   */
  public Optional<ResolvedView> resolveForRuntime(UUID id) {
    long start = System.nanoTime();
    Optional<ConnectionReads.WithHeaders> row = reads.withHeaders(id, null);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    ConnectionView c = row.get().view();
    ResolvedView view;
    try {
      view = resolved(row.get());
    } catch (RuntimeException e) {
      activity.quietly(ActivityLog.Entry.resolve(c, Activity.Outcome.ERROR, millisSince(start)));
      throw e;
    }
    activity.write(ActivityLog.Entry.resolve(c, Activity.Outcome.OK, millisSince(start)));
    return Optional.of(view);
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The activity of a connection, newest first: for whoever may change it (the PATCH rule). */
  public Activity.Page activity(Caller caller, UUID id, int limit, long offset) {
    Connection c = visible(caller, id, false);
    requireWriter(caller, c);
    return activity.page(c.id, null, limit, offset);
  }

  private ResolvedView resolved(ConnectionReads.WithHeaders row) {
    return resolved(row, false).orElseThrow(); // without now, no resolver declines
  }

  /**
   * The connection with its secrets decrypted and every resolver's headers added; with {@code now}
   * (an event loop), empty when a resolver would have to wait.
   */
  private Optional<ResolvedView> resolved(ConnectionReads.WithHeaders row, boolean now) {
    ConnectionView c = row.view();
    Map<String, String> headers = credentials.resolvedHeaders(row.headers());
    for (CredentialResolver r : resolvers) {
      if (!now) {
        r.contribute(c, headers);
      } else if (!r.contributeNow(c, headers)) {
        return Optional.empty();
      }
    }
    return Optional.of(new ResolvedView(c.serverUrl(), c.transportType(), headers));
  }

  // ---- writes ---------------------------------------------------------------------------------

  @Transactional
  public ConnectionView create(Caller caller, CreateRequest in) {
    String name = requireName(in.name());
    String provider = require("provider", in.provider());
    if (!"user".equals(provider)) {
      throw ApiException.validation(
          "provider",
          "must be \"user\"; native and composio connections are created through "
              + "/v1/connections/oauth/native/{provider}/start and /v1/connections/composio/start");
    }
    String authMethod = require("auth_method", in.authMethod());
    checkAuthMethod(authMethod);
    String serverUrl = checkUrl("server_url", require("server_url", in.serverUrl()));
    String type = in.type() == null ? "custom_mcp" : in.type();
    if (!SLUG.matcher(type).matches()) {
      throw ApiException.validation("type", "must be a lowercase slug such as custom_mcp");
    }
    String transport = in.transportType() == null ? "http" : in.transportType();
    if (!TRANSPORTS.contains(transport)) {
      throw ApiException.validation("transport_type", "must be one of http, sse");
    }
    UUID customIntegrationId = optionalUuid("custom_integration_id", in.customIntegrationId());
    HeadersInput headers = in.headers() == null ? new HeadersInput(Map.of(), Map.of()) : in.headers();
    CredentialService.validate(headers, false);
    checkHeadersFit(authMethod, headers.secretOrEmpty().size(), headers.plaintextOrEmpty().size());
    String[] allowedTools = ToolPolicy.validate(in.allowedTools());

    Connection c = new Connection();
    c.id = UUID.randomUUID();
    c.teamId = caller.teamId();
    c.userId = caller.userId();
    c.createdBy = caller.userId();
    c.name = name;
    c.slug = slugs.allocate(caller.teamId(), name);
    c.allowedTools = allowedTools;
    c.type = type;
    c.provider = provider;
    c.serverUrl = serverUrl;
    c.transportType = transport;
    c.authMethod = authMethod;
    c.customIntegrationId = customIntegrationId;
    c.shared = false;
    c.createdAt = Times.now();
    c.updatedAt = c.createdAt;
    c.persist();
    credentials.replaceHeaders(c.id, headers);
    em.flush();
    ConnectionView created = view(c);
    changes.record(ConnectionChanges.CREATED, created);
    return created;
  }

  /**
   * Creates a connection on behalf of an upper package (OAuth callback, Composio finalize) in the
   * caller's transaction. Fields not set by {@code spec} take the defaults of a personal connection.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Connection createManaged(UUID teamId, UUID userId, java.util.function.Consumer<Connection> spec) {
    Connection c = new Connection();
    c.id = UUID.randomUUID();
    c.teamId = teamId;
    c.userId = userId;
    c.createdBy = userId;
    c.transportType = "http";
    c.shared = false;
    c.createdAt = Times.now();
    c.updatedAt = c.createdAt;
    spec.accept(c);
    c.slug = slugs.allocate(teamId, c.name);
    c.persist();
    return c;
  }

  /** Finds a connection a caller may write to (the reconnect path of the OAuth engine), locked. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Connection writable(Caller caller, UUID id) {
    return visible(caller, id, true);
  }

  @Transactional
  public ConnectionView update(Caller caller, UUID id, UpdateRequest in, Set<String> present) {
    Connection c = visible(caller, id, true);
    if (in == null || present.isEmpty()) {
      return view(c);
    }
    boolean wasBroken = c.brokenAt != null;
    if (present.contains("name")) {
      c.name = requireName(in.name());
    }
    boolean wasOauth = "oauth".equals(c.authMethod);
    if (present.contains("auth_method")) {
      String authMethod = require("auth_method", in.authMethod());
      if (!AUTH_METHODS.contains(authMethod)) {
        throw ApiException.validation("auth_method", "must be one of url, apikey, headers, oauth");
      }
      if ("oauth".equals(authMethod) && !wasOauth) {
        throw ApiException.validation(
            "auth_method", "a connection becomes oauth only through /v1/connections/oauth/mcp/start");
      }
      if (wasOauth && !"oauth".equals(authMethod) && credentials.deleteTokens(c.id)) {
        c.brokenAt = null;
        c.brokenReason = null;
      }
      c.authMethod = authMethod;
    }
    if (present.contains("server_url")) {
      String url = checkUrl("server_url", require("server_url", in.serverUrl()));
      if (!url.equals(c.serverUrl) && "oauth".equals(c.authMethod)) {
        // A token is never sent to a server it was not issued for.
        credentials.deleteTokens(c.id);
        c.brokenAt = Times.now();
        c.brokenReason = "reauthorization_required";
      }
      c.serverUrl = url;
    }
    if (present.contains("allowed_tools")) {
      c.allowedTools = ToolPolicy.validate(in.allowedTools());
    }
    if (present.contains("composio_mcp_id")) {
      c.composioMcpId = in.composioMcpId();
    }
    if (present.contains("shared")) {
      if (in.shared() == null) {
        throw ApiException.validation("shared", "must be true or false");
      }
      setShared(caller, c, in.shared());
    }
    if (present.contains("headers")) {
      if (in.headers() == null) {
        throw ApiException.validation("headers", "must be an object {plaintext, secret}");
      }
      CredentialService.validate(in.headers(), true);
      credentials.replaceHeaders(c.id, in.headers());
    }
    if (present.contains("headers") || present.contains("auth_method")) {
      em.flush();
      Map<String, String> masked = credentials.maskedHeaders(c.id);
      long secrets = masked.values().stream().filter(String::isEmpty).count();
      checkHeadersFit(c.authMethod, (int) secrets, masked.size() - (int) secrets);
    }
    c.updatedAt = Times.now();
    em.flush();
    ConnectionView updated = view(c);
    changes.record(ConnectionChanges.UPDATED, updated);
    if (!wasBroken && c.brokenAt != null) {
      changes.record(ConnectionChanges.BROKEN, updated, Map.of("reason", c.brokenReason));
    }
    return updated;
  }

  private static void setShared(Caller caller, Connection c, boolean shared) {
    if (shared == c.shared) {
      return;
    }
    if (shared) {
      if (!caller.connectionsSharing()) {
        throw new ApiException(403, "sharing_disabled", "the organization's connections sharing setting is off");
      }
      c.shared = true;
      c.userId = null;
    } else {
      c.shared = false;
      c.userId = c.createdBy != null ? c.createdBy : caller.userId();
    }
  }

  /**
   * Deletes a connection, its credentials and its triggers in one transaction, which also records
   * {@code connection.deleted} (with the last state) and, through {@link ConnectionEvents.Deleted},
   * the clean-up jobs elsewhere (token revocation, Composio account) on the outbox.
   */
  @Transactional
  public void delete(Caller caller, UUID id) {
    Connection c = visible(caller, id, true);
    ConnectionView last = view(c);
    deleted.fire(
        new ConnectionEvents.Deleted(
            c.id, c.provider, c.type, c.composioMcpId, c.integrationId, c.oauthProvider, tokensForRevocation(c.id)));
    changes.record(ConnectionChanges.DELETED, last);
    deleting.fire(new ConnectionEvents.Deleting(c.id));
    credentials.deleteAll(c.id);
    c.delete();
  }

  /** Deleting must never fail because old tokens cannot be read; revocation is best effort. */
  private Optional<CredentialService.Tokens> tokensForRevocation(UUID id) {
    try {
      return credentials.tokens(id);
    } catch (RuntimeException e) {
      LOG.warnf("tokens of connection %s cannot be read (%s); they will not be revoked", id, e.getMessage());
      return Optional.empty();
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * The connection if the caller may see it (404 otherwise: existence is never revealed). With
   * {@code write}, also enforces the write rule for shared connections and locks the row.
   */
  private Connection visible(Caller caller, UUID id, boolean write) {
    var q =
        em.createNativeQuery(
                "SELECT c.* FROM connections c WHERE c.id = ? AND " + ConnectionReads.VISIBLE
                    + (write ? " FOR UPDATE" : ""),
                Connection.class)
            .setParameter(1, id)
            .setParameter(2, caller.teamId())
            .setParameter(3, caller.userId())
            .setParameter(4, caller.connectionsSharing())
            .setParameter(5, caller.userId());
    @SuppressWarnings("unchecked")
    List<Connection> rows = q.getResultList();
    if (rows.isEmpty()) {
      throw ApiException.notFound("connection");
    }
    Connection c = rows.get(0);
    if (write) {
      requireWriter(caller, c);
    }
    return c;
  }

  private static void requireWriter(Caller caller, Connection c) {
    if (c.shared && !caller.userId().equals(c.createdBy) && !caller.isTeamAdmin()) {
      throw ApiException.forbidden("only the creator of a shared connection or a team admin may change it or read its activity");
    }
  }

  public ConnectionView view(Connection c) {
    return views(List.of(c)).get(0);
  }

  private List<ConnectionView> views(List<Connection> rows) {
    CredentialService.Presence p = credentials.presence(rows.stream().map(c -> c.id).toList());
    return rows.stream()
        .map(c -> ConnectionView.of(c, p.withHeaders().contains(c.id), p.withTokens().contains(c.id)))
        .toList();
  }

  private static void checkAuthMethod(String authMethod) {
    if ("oauth".equals(authMethod)) {
      throw ApiException.validation(
          "auth_method",
          "oauth connections are created through POST /v1/connections/oauth/mcp/start "
              + "(or /v1/connections/oauth/native/{provider}/start)");
    }
    if (!AUTH_METHODS.contains(authMethod)) {
      throw ApiException.validation("auth_method", "must be one of url, apikey, headers, oauth");
    }
  }

  private static void checkHeadersFit(String authMethod, int secretCount, int plaintextCount) {
    if ("apikey".equals(authMethod) && secretCount != 1) {
      throw ApiException.validation("headers.secret", "auth_method apikey needs exactly one secret header");
    }
    if ("headers".equals(authMethod) && secretCount + plaintextCount == 0) {
      throw ApiException.validation("headers", "auth_method headers needs at least one header");
    }
  }

  static String require(String field, String value) {
    if (value == null) {
      throw ApiException.validation(field, "is required");
    }
    return value;
  }

  static String requireName(String name) {
    if (name == null) {
      throw ApiException.validation("name", "is required");
    }
    if (name.isBlank()) {
      throw ApiException.validation("name", "must not be empty");
    }
    if (name.length() > MAX_NAME) {
      throw ApiException.validation("name", "at most " + MAX_NAME + " characters");
    }
    return name;
  }

  /** An absolute http(s) URL with a host, or a validation error naming {@code field}. */
  public static String checkUrl(String field, String value) {
    if (value.length() > MAX_URL) {
      throw ApiException.validation(field, "at most " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (Exception e) {
      throw ApiException.validation(field, "must be an absolute http(s) URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw ApiException.validation(field, "must be an absolute http(s) URL");
    }
    return value;
  }

  static UUID optionalUuid(String field, String value) {
    return value == null ? null : dev.plugboard.api.Ids.parse(field, value);
  }
}
