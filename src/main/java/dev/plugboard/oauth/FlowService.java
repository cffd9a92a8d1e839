package dev.plugboard.oauth;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Times;
import dev.plugboard.connection.Connection;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.CredentialService.Tokens;
import dev.plugboard.credential.Crypto;
import dev.plugboard.oauth.ClientIdentity.Client;
import dev.plugboard.oauth.Discovery.McpAuth;
import dev.plugboard.oauth.NativeProviders.NativeProvider;
import dev.plugboard.oauth.OAuthViews.CheckRequest;
import dev.plugboard.oauth.OAuthViews.CheckView;
import dev.plugboard.oauth.OAuthViews.McpStartRequest;
import dev.plugboard.oauth.OAuthViews.NativeStartRequest;
import dev.plugboard.oauth.OAuthViews.StartView;
import dev.plugboard.oauth.TokenClient.Result;
import dev.plugboard.oauth.TokenClient.Server;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.CallerLookup;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The OAuth engine's two front doors (MCP servers, native providers) and its one callback: flows
 * live in PostgreSQL so any replica can finish what another started (DESIGN §6).
 */
@ApplicationScoped
public class FlowService {

  private static final Logger LOG = Logger.getLogger(FlowService.class);
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9_]{1,64}");
  /** Parameters Plugboard sets itself; configured extras cannot override them. */
  private static final Set<String> CORE_PARAMS =
      Set.of("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope", "resource");

  private final OAuthConfig config;
  private final OAuthUrls urls;
  private final Discovery discovery;
  private final ClientIdentity clients;
  private final NativeProviders providers;
  private final TokenClient tokenClient;
  private final Crypto crypto;
  private final ConnectionService connections;
  // Field-injected so the constructor (shared with other work on this class) stays as it is.
  @jakarta.inject.Inject dev.plugboard.connection.ConnectionChanges changes;
  private final CredentialService credentials;
  private final CallerLookup callers;
  private final EntityManager em;
  private final Instance<LinkedFlows> linkedFlows;

  FlowService(
      OAuthConfig config,
      OAuthUrls urls,
      Discovery discovery,
      ClientIdentity clients,
      NativeProviders providers,
      TokenClient tokenClient,
      Crypto crypto,
      ConnectionService connections,
      CredentialService credentials,
      CallerLookup callers,
      EntityManager em,
      Instance<LinkedFlows> linkedFlows) {
    this.config = config;
    this.urls = urls;
    this.discovery = discovery;
    this.clients = clients;
    this.providers = providers;
    this.tokenClient = tokenClient;
    this.crypto = crypto;
    this.connections = connections;
    this.credentials = credentials;
    this.callers = callers;
    this.em = em;
    this.linkedFlows = linkedFlows;
  }

  // ---- check and start ------------------------------------------------------------------------

  /** Discovery without writes. */
  public CheckView check(CheckRequest in) {
    String serverUrl = serverUrl(in.mcpServerUrl());
    return discovery
        .discover(serverUrl)
        .map(a -> new CheckView(clients.automatic(a.server()), a.server().authorizationEndpoint(), a.scopes()))
        .orElse(new CheckView(false, null, null));
  }

  public StartView startMcp(Caller caller, McpStartRequest in) {
    return startMcp(caller, in, null, null);
  }

  /** {@code stepUpScopes}: the scopes to ask for instead of discovery's (a step-up link); null: discovery's. */
  private StartView startMcp(Caller caller, McpStartRequest in, UUID linkId, List<String> stepUpScopes) {
    String serverUrl = serverUrl(in.mcpServerUrl());
    UUID reconnect = in.reconnectInstanceId() == null ? null : Ids.parse("reconnect_instance_id", in.reconnectInstanceId());
    String name = name(in.name(), reconnect == null);
    UUID customIntegrationId =
        in.customIntegrationId() == null ? null : Ids.parse("custom_integration_id", in.customIntegrationId());
    if (in.integrationType() != null && !TYPE.matcher(in.integrationType()).matches()) {
      throw ApiException.validation("integration_type", "must be a lowercase slug such as custom_mcp");
    }
    if (in.oauthClientSecret() != null && in.oauthClientId() == null) {
      throw ApiException.validation("oauth_client_secret", "needs oauth_client_id");
    }
    if (in.oauthClientId() != null && in.oauthClientId().isBlank()) {
      throw ApiException.validation("oauth_client_id", "must not be empty");
    }
    Optional<String> returnUrl = urls.returnUrl(in.returnUrl());
    if (reconnect != null) {
      checkReconnect(caller, reconnect, null);
    }
    McpAuth auth =
        discovery
            .discover(serverUrl)
            .orElseThrow(
                () ->
                    ApiException.validation(
                        "mcp_server_url", "the server advertises no OAuth authorization (no protected resource metadata, no authorization server at its origin)"));
    Client client = clients.forServer(auth.server(), in.oauthClientId(), in.oauthClientSecret());

    OAuthFlow f = new OAuthFlow();
    f.kind = OAuthFlow.MCP;
    f.provider = auth.server().issuer();
    f.issuer = auth.server().issuer();
    f.tokenEndpoint = auth.server().tokenEndpoint();
    f.revocationEndpoint = auth.server().revocationEndpoint();
    f.resource = auth.resource();
    f.serverUrl = serverUrl;
    // Step-up asks for exactly the union the link carries, and keeps a refresh token when the server offers one.
    List<String> scopes =
        stepUpScopes == null ? auth.scopes() : StepUp.union(stepUpScopes, auth.scopes().contains("offline_access") ? List.of("offline_access") : List.of());
    f.scopes = scopes.toArray(String[]::new);
    f.name = name;
    f.customIntegrationId = customIntegrationId;
    f.integrationType = in.integrationType();
    f.reconnectId = reconnect;
    f.connectLinkId = linkId;
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("resource", auth.resource());
    if (scopes.contains("offline_access")) {
      extra.put("prompt", "consent"); // as the MCP SDKs do: a refresh token needs fresh consent
    }
    return new StartView(begin(caller, f, client, auth.server().authorizationEndpoint(), returnUrl, extra));
  }

  public StartView startNative(Caller caller, String slug, NativeStartRequest in) {
    return startNative(caller, slug, in, null);
  }

  private StartView startNative(Caller caller, String slug, NativeStartRequest in, UUID linkId) {
    NativeProvider p =
        providers.find(slug).orElseThrow(() -> ApiException.notFound("OAuth provider (unknown or not configured)"));
    UUID reconnect = in.reconnectInstanceId() == null ? null : Ids.parse("reconnect_instance_id", in.reconnectInstanceId());
    String name = in.name() == null ? null : name(in.name(), true);
    Optional<String> returnUrl = urls.returnUrl(in.returnUrl());
    if (reconnect != null) {
      checkReconnect(caller, reconnect, p.slug());
    }
    OAuthFlow f = new OAuthFlow();
    f.kind = OAuthFlow.NATIVE;
    f.provider = p.slug();
    f.issuer = p.issuer();
    f.tokenEndpoint = p.tokenEndpoint();
    f.revocationEndpoint = p.revocationEndpoint();
    f.scopes = p.scopes().toArray(String[]::new);
    f.name = name != null ? name : (reconnect == null ? p.displayName() : null);
    f.integrationType = p.slug();
    f.reconnectId = reconnect;
    f.connectLinkId = linkId;
    Map<String, String> extra = new LinkedHashMap<>();
    p.extraParams().forEach((k, v) -> {
      if (!CORE_PARAMS.contains(k)) {
        extra.put(k, v);
      }
    });
    Client client = new Client(p.clientId(), p.clientSecret(), p.clientSecret() == null ? "none" : "client_secret_post");
    return new StartView(begin(caller, f, client, p.authorizationEndpoint(), returnUrl, extra));
  }

  // ---- connect links (DESIGN §13): flows whose callback reports to a link ---------------------

  /** A configured native provider's display name; empty for an unknown or unconfigured slug. */
  public Optional<String> nativeProviderName(String slug) {
    return providers.find(slug).map(NativeProvider::displayName);
  }

  /**
   * The authorization endpoint the browser will be sent to: a native provider's, or the one an MCP
   * server's discovery finds (read only); empty when it cannot be told now.
   */
  public Optional<String> authorizationEndpoint(String nativeSlug, String mcpServerUrl) {
    if (nativeSlug != null) {
      return providers.find(nativeSlug).map(NativeProvider::authorizationEndpoint);
    }
    try {
      return discovery.discover(mcpServerUrl).map(a -> a.server().authorizationEndpoint());
    } catch (ApiException e) {
      return Optional.empty();
    }
  }

  /** The authorization URL of a native flow started for a link's creator; the callback reports to the link. */
  public String startNativeForLink(Caller creator, String slug, String name, UUID reconnectId, UUID linkId) {
    String reconnect = reconnectId == null ? null : reconnectId.toString();
    return startNative(creator, slug, new NativeStartRequest(null, reconnect, name), linkId).authorizationUrl();
  }

  /**
   * The authorization URL of an MCP flow started for a link's creator; the callback reports to the link.
   * {@code stepUpScopes}: the scopes a step-up link asks for (null: discovery's).
   */
  public String startMcpForLink(Caller creator, String serverUrl, String name, UUID reconnectId, UUID linkId, List<String> stepUpScopes) {
    String reconnect = reconnectId == null ? null : reconnectId.toString();
    return startMcp(creator, new McpStartRequest(serverUrl, name, null, null, null, reconnect, null, null), linkId, stepUpScopes)
        .authorizationUrl();
  }

  /** Writes the connection from tokens a flow holds for a verifier; returns what {@code then} makes of its id. */
  public <T> T completeHeld(UUID flowId, Function<UUID, T> then) {
    Claimed c =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  OAuthFlow f = em.find(OAuthFlow.class, flowId, LockModeType.PESSIMISTIC_WRITE);
                  if (f == null || f.heldGrant == null) {
                    throw new LinkedFlows.HeldFailure("expired");
                  }
                  em.detach(f);
                  return new Claimed(f, null, crypto.decrypt(f.clientSecret, f.aad("client_secret")));
                });
    TokenClient.Granted g = HeldGrants.open(crypto.decrypt(c.flow().heldGrant, c.flow().aad("held_grant")));
    T result;
    try {
      result = persist(c, g, then);
    } catch (RuntimeException e) {
      String code = failureCode(e);
      throw code == null ? e : new LinkedFlows.HeldFailure(code);
    }
    discardHeld(flowId);
    return result;
  }

  /** Forgets a flow and any tokens it holds (a link that ended without confirmation). */
  public void discardHeld(UUID flowId) {
    QuarkusTransaction.requiringNew().run(() -> OAuthFlow.delete("id", flowId));
  }

  private Outcome linkGranted(Claimed c, TokenClient.Granted g) {
    OAuthFlow f = c.flow();
    Optional<Instant> holdUntil = linkedFlows.get().holdUntil(f.connectLinkId);
    if (holdUntil.isEmpty()) {
      return persist(c, g, id -> linkedFlows.get().completed(f.connectLinkId, id));
    }
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              OAuthFlow row = em.find(OAuthFlow.class, f.id, LockModeType.PESSIMISTIC_WRITE);
              row.heldGrant = crypto.encrypt(HeldGrants.seal(g), row.aad("held_grant"));
              if (holdUntil.get().isAfter(row.expiresAt)) {
                row.expiresAt = holdUntil.get();
              }
            });
    return linkedFlows.get().held(f.connectLinkId, f.id);
  }

  /** Persists the flow and builds the authorization URL. */
  private String begin(
      Caller caller, OAuthFlow f, Client client, String authorizationEndpoint, Optional<String> returnUrl, Map<String, String> extra) {
    String state = Secrets.random256();
    String verifier = Secrets.random256() + Secrets.random256();
    f.id = UUID.randomUUID();
    f.stateHash = Secrets.sha256(state);
    f.teamId = caller.teamId();
    f.userId = caller.userId();
    f.returnUrl = returnUrl.orElse(null);
    f.codeVerifier = crypto.encrypt(verifier, f.aad("code_verifier"));
    f.clientId = client.clientId();
    f.clientSecret = crypto.encrypt(client.clientSecret(), f.aad("client_secret"));
    f.tokenAuthMethod = client.authMethod();
    f.createdAt = Times.now();
    f.expiresAt = f.createdAt.plus(config.flowTtl());
    QuarkusTransaction.requiringNew().run(f::persist);

    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", client.clientId());
    q.put("redirect_uri", urls.callback());
    q.put("state", state);
    q.put("code_challenge", Secrets.s256Challenge(verifier));
    q.put("code_challenge_method", "S256");
    if (f.scopes != null && f.scopes.length > 0) {
      q.put("scope", String.join(" ", f.scopes));
    }
    extra.forEach(q::putIfAbsent);
    LOG.infof("started %s OAuth flow %s (%s) for user %s", f.kind, f.id, f.provider, f.userId);
    return withQuery(authorizationEndpoint, q);
  }

  private void checkReconnect(Caller caller, UUID id, String nativeSlug) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              Connection c = connections.writable(caller, id);
              boolean isNative = "native".equals(c.provider);
              if (nativeSlug != null && !(isNative && nativeSlug.equals(c.oauthProvider))) {
                throw ApiException.validation("reconnect_instance_id", "is not a " + nativeSlug + " connection");
              }
              if (nativeSlug == null && !"user".equals(c.provider)) {
                throw ApiException.validation("reconnect_instance_id", "is not a custom MCP server connection");
              }
            });
  }

  private static String serverUrl(String given) {
    if (given == null) {
      throw ApiException.validation("mcp_server_url", "is required");
    }
    String url = ConnectionService.checkUrl("mcp_server_url", given);
    if (url.contains("#")) {
      throw ApiException.validation("mcp_server_url", "must not contain a fragment");
    }
    return url;
  }

  private static String name(String name, boolean required) {
    if (name == null) {
      if (required) {
        throw ApiException.validation("name", "is required");
      }
      return null;
    }
    if (name.isBlank()) {
      throw ApiException.validation("name", "must not be empty");
    }
    if (name.length() > 200) {
      throw ApiException.validation("name", "at most 200 characters");
    }
    return name;
  }

  // ---- callback -------------------------------------------------------------------------------

  /** Where the browser goes after the callback. */
  public sealed interface Outcome {
    record Redirect(String url) implements Outcome {}

    record Page(int status, boolean success, String message) implements Outcome {}
  }

  /** A flow as the callback uses it, secrets decrypted. */
  private record Claimed(OAuthFlow flow, String verifier, String clientSecret) {}

  /** A failure after the state was accepted: reported to the return URL with this code. */
  private static final class Failure extends RuntimeException {
    final String code;

    Failure(String code) {
      super(code, null, false, false);
      this.code = code;
    }
  }

  public Outcome callback(String code, String state, String error, String iss) {
    Optional<Claimed> claimed = state == null || state.length() > 512 ? Optional.empty() : claim(state);
    if (claimed.isEmpty()) {
      return new Outcome.Page(
          400, false, "This authorization link is invalid, expired or was already used. Start the connection again.");
    }
    Claimed c = claimed.get();
    OAuthFlow f = c.flow();
    try {
      if (error != null) {
        throw new Failure(ERROR_CODE.matcher(error).matches() ? error : "server_error");
      }
      if (iss != null && f.issuer != null && !Discovery.sameIssuer(f.issuer, iss)) {
        LOG.warnf("OAuth flow %s: the iss parameter does not match the issuer the flow started with", f.id);
        throw new Failure("issuer_mismatch");
      }
      if (code == null || code.isBlank()) {
        throw new Failure("invalid_request");
      }
      Result r = tokenClient.exchangeCode(Server.of(f, c.clientSecret()), code, urls.callback(), c.verifier(), f.resource);
      if (r.failed() != null) {
        LOG.warnf("OAuth flow %s: code exchange failed (%s, %s)", f.id, r.failed().oauthError(), r.failed().detail());
        throw new Failure("token_exchange_failed");
      }
      if (f.connectLinkId != null) {
        return linkGranted(c, r.granted());
      }
      UUID id = persist(c, r.granted(), Function.identity());
      LOG.infof("OAuth flow %s finished: connection %s", f.id, id);
      return finish(f, Map.of("status", "success", "connection_id", id.toString()), "The connection is ready. You can close this window.");
    } catch (RuntimeException e) {
      String reason = failureCode(e);
      if (reason == null) {
        LOG.errorf("OAuth flow %s failed unexpectedly: %s", f.id, e.getClass().getName());
        reason = "server_error";
      }
      if (f.connectLinkId != null) {
        return linkedFlows.get().failed(f.connectLinkId, reason);
      }
      return finish(f, Map.of("status", "error", "error", reason), "The connection failed (" + reason + "). You can close this window and try again.");
    }
  }

  /** The code of a {@link Failure}, also when a transaction wrapped it; null for anything else. */
  private static String failureCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Failure failure) {
        return failure.code;
      }
    }
    return null;
  }

  /** Marks the flow used, atomically: a replayed or concurrent callback finds it spent. */
  private Optional<Claimed> claim(String state) {
    byte[] hash = Secrets.sha256(state);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              Optional<OAuthFlow> found =
                  em.createQuery("select f from OAuthFlow f where f.stateHash = :h", OAuthFlow.class)
                      .setParameter("h", hash)
                      .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                      .getResultStream()
                      .findFirst();
              if (found.isEmpty() || found.get().usedAt != null || !found.get().expiresAt.isAfter(Instant.now())) {
                return Optional.empty();
              }
              OAuthFlow f = found.get();
              f.usedAt = Times.now();
              em.flush();
              em.detach(f);
              return Optional.of(
                  new Claimed(f, crypto.decrypt(f.codeVerifier, f.aad("code_verifier")), crypto.decrypt(f.clientSecret, f.aad("client_secret"))));
            });
  }

  /**
   * Creates the connection (or repairs the reconnect target) and stores its tokens, in one
   * transaction; {@code then} runs inside it with the connection's id.
   */
  private <T> T persist(Claimed c, TokenClient.Granted g, Function<UUID, T> then) {
    OAuthFlow f = c.flow();
    List<String> scopes = g.scopes() != null ? g.scopes() : (f.scopes == null ? List.of() : List.of(f.scopes));
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              Caller caller = callers.forMember(f.userId, f.teamId).orElseThrow(() -> new Failure("access_denied"));
              Connection conn;
              if (f.reconnectId != null) {
                try {
                  conn = connections.writable(caller, f.reconnectId);
                } catch (ApiException e) {
                  throw new Failure("reconnect_target_not_found");
                }
                if (f.name != null) {
                  conn.name = f.name;
                }
                if (OAuthFlow.MCP.equals(f.kind)) {
                  conn.serverUrl = f.serverUrl;
                }
                apply(conn, f, scopes);
                conn.brokenAt = null;
                conn.brokenReason = null;
                conn.updatedAt = Times.now();
              } else {
                conn =
                    connections.createManaged(
                        f.teamId,
                        f.userId,
                        n -> {
                          n.name = f.name;
                          n.customIntegrationId = f.customIntegrationId;
                          if (OAuthFlow.MCP.equals(f.kind)) {
                            n.type = f.integrationType != null ? f.integrationType : "custom_mcp";
                            n.provider = "user";
                            n.serverUrl = f.serverUrl;
                          } else {
                            n.type = f.provider;
                            n.provider = "native";
                          }
                          apply(n, f, scopes);
                        });
              }
              credentials.saveTokens(
                  conn.id,
                  new Tokens(
                      g.accessToken(),
                      g.refreshToken(),
                      g.tokenType(),
                      g.expiresAt(),
                      scopes,
                      f.tokenEndpoint,
                      f.revocationEndpoint,
                      f.clientId,
                      c.clientSecret(),
                      f.resource));
              changes.record(
                  f.reconnectId != null ? dev.plugboard.connection.ConnectionChanges.RECONNECTED : dev.plugboard.connection.ConnectionChanges.CREATED,
                  connections.view(conn));
              return then.apply(conn.id);
            });
  }

  private static void apply(Connection c, OAuthFlow f, List<String> scopes) {
    c.authMethod = "oauth";
    c.oauthProvider = f.provider;
    c.oauthProviderKey = OAuthFlow.NATIVE.equals(f.kind) ? f.provider : null;
    c.oauthScopes = scopes.toArray(String[]::new);
  }

  private Outcome finish(OAuthFlow f, Map<String, String> result, String message) {
    boolean success = "success".equals(result.get("status"));
    if (f.returnUrl == null) {
      return new Outcome.Page(success ? 200 : 400, success, message);
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    ordered.put("status", result.get("status"));
    if (success) {
      ordered.put("connection_id", result.get("connection_id"));
    } else {
      ordered.put("error", result.get("error"));
    }
    return new Outcome.Redirect(withQuery(f.returnUrl, ordered));
  }

  /** Appends query parameters, keeping an existing query and fragment in place. */
  public static String withQuery(String url, Map<String, String> params) {
    int hash = url.indexOf('#');
    String base = hash < 0 ? url : url.substring(0, hash);
    String fragment = hash < 0 ? "" : url.substring(hash);
    StringBuilder sb = new StringBuilder(base);
    char sep = base.contains("?") ? '&' : '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      sb.append(sep).append(queryEncode(e.getKey())).append('=').append(queryEncode(e.getValue()));
      sep = '&';
    }
    return sb + fragment;
  }

  private static String queryEncode(String s) {
    return OAuthHttp.urlencode(s).replace("+", "%20");
  }

  /** Removes flows past their expiry (used or not); returns how many. */
  public long purgeExpiredFlows() {
    return QuarkusTransaction.requiringNew().call(() -> OAuthFlow.delete("expiresAt < ?1", Instant.now()));
  }
}
