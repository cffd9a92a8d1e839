package dev.plugboard.connect;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import dev.plugboard.composio.ComposioClient;
import dev.plugboard.connection.Connection;
import dev.plugboard.connection.ConnectionChanges;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.OpaqueTokens;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.net.OutboundPolicy;
import dev.plugboard.oauth.FlowService;
import dev.plugboard.oauth.FlowService.Outcome;
import dev.plugboard.oauth.LinkedFlows;
import dev.plugboard.oauth.OAuthUrls;
import dev.plugboard.oauth.StepUp;
import dev.plugboard.outbox.Outbox;
import dev.plugboard.tenancy.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Connect links over REST (DESIGN §13): made, read, waited for, cancelled and confirmed here; the
 * page ({@link ConnectPages}) and the OAuth callback ({@link LinkedFlows}) end them through {@link
 * #complete} and {@link #fail}, the only two places a link ends with an outcome.
 */
@ApplicationScoped
public class ConnectLinkService implements ConnectLinks, LinkedFlows {

  private static final Logger LOG = Logger.getLogger(ConnectLinkService.class);
  static final Set<String> STATUSES =
      Set.of(
          ConnectLink.PENDING,
          ConnectLink.AWAITING,
          ConnectLink.COMPLETED,
          ConnectLink.FAILED,
          ConnectLink.EXPIRED,
          ConnectLink.CANCELLED);
  private static final int MAX_TEXT = 200;
  private static final int MAX_SECRET_HEADERS = 20;

  @Inject ConnectConfig config;
  @Inject FlowService flows;
  @Inject OAuthUrls urls;
  @Inject ConnectionService connections;
  @Inject ConnectionChanges changes;
  @Inject Outbox outbox;
  @Inject ComposioClient composio;
  @Inject OutboundPolicy outbound;
  @Inject Crypto crypto;
  @Inject EntityManager em;
  @Inject LinkWaiters waiters;
  @Inject MeterRegistry registry;
  @Inject ConnectPages pages;

  // ---- create ---------------------------------------------------------------------------------

  @Override
  public ConnectLinkView create(Caller caller, ConnectLinkRequest in) {
    if (in == null) {
      throw ApiException.invalidRequest("a JSON body is required");
    }
    List<String> targets = new ArrayList<>();
    if (in.provider() != null) {
      targets.add("provider");
    }
    if (in.mcpServerUrl() != null) {
      targets.add("mcp_server_url");
    }
    if (in.serverUrl() != null || in.secretHeaders() != null) {
      targets.add("server_url");
    }
    if (in.composioAuthConfigId() != null || in.app() != null) {
      targets.add("composio_auth_config_id");
    }
    if (in.connectionId() != null) {
      targets.add("connection_id");
    }
    if (targets.size() != 1) {
      throw ApiException.validation(
          targets.isEmpty() ? "provider" : String.join(", ", targets),
          "give exactly one target: {provider} | {mcp_server_url, name} | {server_url, name, secret_headers}"
              + " | {composio_auth_config_id, app, name} | {connection_id}");
    }
    Duration ttl = ttl(in.expiresIn());
    String returnUrl = in.returnUrl() == null ? null : urls.returnUrl(in.returnUrl()).orElse(null);

    ConnectLink link = new ConnectLink();
    link.id = UUID.randomUUID();
    switch (targets.get(0)) {
      case "provider":
        link.kind = "native";
        link.provider = in.provider();
        if (flows.nativeProviderName(in.provider()).isEmpty()) {
          throw ApiException.notFound("OAuth provider (unknown or not configured)");
        }
        link.name = in.name() == null ? null : text("name", in.name());
        break;
      case "mcp_server_url":
        link.kind = "mcp_oauth";
        link.serverUrl = outboundUrl("mcp_server_url", in.mcpServerUrl());
        link.name = text("name", in.name());
        break;
      case "server_url":
        link.kind = "secrets";
        link.serverUrl = outboundUrl("server_url", in.serverUrl());
        link.name = text("name", in.name());
        link.secretHeaders = headerNames(in.secretHeaders());
        break;
      case "composio_auth_config_id":
        composio.requireConfigured();
        link.kind = "composio";
        link.composioAuthConfigId = text("composio_auth_config_id", in.composioAuthConfigId());
        link.composioApp = text("app", in.app());
        link.name = text("name", in.name());
        break;
      default:
        link.kind = "reconnect";
        reconnectTarget(caller, in.connectionId(), link, null);
    }
    return insert(caller, link, ttl, returnUrl);
  }

  @Override
  public ConnectLinkView reconnect(Caller caller, UUID connectionId) {
    return reconnect(caller, connectionId, null);
  }

  @Override
  public ConnectLinkView stepUp(Caller caller, UUID connectionId, List<String> scopes) {
    return reconnect(caller, connectionId, List.copyOf(scopes));
  }

  /** A pending reconnect link asking for the same scopes (null: discovery's) is reused; else a new one. */
  private ConnectLinkView reconnect(Caller caller, UUID connectionId, List<String> stepUpScopes) {
    ConnectLink target = new ConnectLink();
    reconnectTarget(caller, connectionId, target, stepUpScopes);
    Optional<ConnectLinkView> reused =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createQuery(
                            "select l from ConnectLink l where l.connectionId = :c and l.userId = :u and l.teamId = :t"
                                + " and l.kind = 'reconnect' and l.status = 'pending' and l.consumedAt is null"
                                + " and l.expiresAt > :now order by l.createdAt desc",
                            ConnectLink.class)
                        .setParameter("c", connectionId)
                        .setParameter("u", caller.userId())
                        .setParameter("t", caller.teamId())
                        .setParameter("now", Instant.now().plusSeconds(60)) // a link about to expire is no use
                        .getResultStream()
                        .filter(l -> Arrays.equals(l.scopes, target.scopes))
                        .findFirst()
                        .map(this::view));
    if (reused.isPresent() && reused.get().url() != null) {
      return reused.get();
    }
    target.id = UUID.randomUUID();
    target.kind = "reconnect";
    return insert(caller, target, config.linkTtl(), null);
  }

  /**
   * Fills a reconnect link from its connection: 404/403 exactly as a PATCH by this caller would be.
   * With {@code stepUpScopes}, the link's flow asks for them beside the scopes already granted.
   */
  private void reconnectTarget(Caller caller, UUID connectionId, ConnectLink link, List<String> stepUpScopes) {
    Map<String, String> masked = connections.maskedCredentials(caller, connectionId);
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              Connection c = connections.writable(caller, connectionId);
              link.connectionId = c.id;
              link.name = c.name;
              link.serverUrl = c.serverUrl;
              if (stepUpScopes != null) {
                if (!"oauth".equals(c.authMethod) || "native".equals(c.provider)) {
                  throw ApiException.validation("connection_id", "only an MCP OAuth connection is asked for more scope");
                }
                link.scopes = StepUp.union(c.oauthScopes == null ? List.of() : List.of(c.oauthScopes), stepUpScopes).toArray(String[]::new);
              }
              if ("native".equals(c.provider)) {
                if (flows.nativeProviderName(c.oauthProvider).isEmpty()) {
                  throw ApiException.validation(
                      "connection_id", "its provider " + c.oauthProvider + " is not configured any more");
                }
                link.provider = c.oauthProvider;
              } else if ("composio".equals(c.provider)) {
                throw ApiException.validation(
                    "connection_id", "a Composio connection is authorized again with a new composio link");
              } else if (!"oauth".equals(c.authMethod)) {
                String[] secret =
                    masked.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toArray(String[]::new);
                if (secret.length == 0) {
                  throw ApiException.validation(
                      "connection_id", "the connection has no secret headers a person could enter again");
                }
                link.secretHeaders = secret;
              }
            });
  }

  private ConnectLinkView insert(Caller caller, ConnectLink link, Duration ttl, String returnUrl) {
    link.status = ConnectLink.PENDING;
    link.organizationId = caller.organizationId();
    link.teamId = caller.teamId();
    link.userId = caller.userId();
    link.apiKeyId = caller.apiKeyId();
    link.returnUrl = returnUrl;
    link.tokenKey = crypto.activeKeyId();
    link.tokenHash = OpaqueTokens.sha256(token(link).orElseThrow());
    link.createdAt = Times.now();
    link.expiresAt = link.createdAt.plus(ttl);
    QuarkusTransaction.requiringNew().run(link::persist);
    count(link.kind, ConnectLink.PENDING);
    LOG.infof("connect link %s (%s) made for user %s", link.id, link.kind, link.userId);
    return view(link);
  }

  private Duration ttl(Integer expiresIn) {
    if (expiresIn == null) {
      return config.linkTtl();
    }
    if (expiresIn < 60 || expiresIn > 86_400) {
      throw ApiException.validation("expires_in", "must be between 60 and 86400 seconds");
    }
    return Duration.ofSeconds(expiresIn);
  }

  private String outboundUrl(String field, String given) {
    String url = ConnectionService.checkUrl(field, given);
    if (url.contains("#")) {
      throw ApiException.validation(field, "must not contain a fragment");
    }
    try {
      outbound.vet(url); // a refusal leaves as 400 url_not_allowed
    } catch (OutboundFailure e) {
      // Not resolvable now: checked again when the page uses it.
    }
    return url;
  }

  private static String text(String field, String value) {
    if (value == null) {
      throw ApiException.validation(field, "is required");
    }
    if (value.isBlank()) {
      throw ApiException.validation(field, "must not be empty");
    }
    if (value.length() > MAX_TEXT) {
      throw ApiException.validation(field, "at most " + MAX_TEXT + " characters");
    }
    return value;
  }

  private static String[] headerNames(List<String> names) {
    if (names == null || names.isEmpty()) {
      throw ApiException.validation("secret_headers", "name at least one header the person types");
    }
    if (names.size() > MAX_SECRET_HEADERS) {
      throw ApiException.validation("secret_headers", "at most " + MAX_SECRET_HEADERS + " headers");
    }
    Map<String, String> check = new LinkedHashMap<>();
    for (String n : names) {
      if (n == null) {
        throw ApiException.validation("secret_headers", "names must be strings");
      }
      check.put(n, "x");
    }
    if (check.size() != names.size()) {
      throw ApiException.validation("secret_headers", "a header is named twice");
    }
    dev.plugboard.credential.CredentialService.validate(new dev.plugboard.credential.HeadersInput(null, check), false);
    return names.toArray(String[]::new);
  }

  // ---- read, wait, list, cancel ---------------------------------------------------------------

  /** Any link by id, for the page and the callback (never for an API caller). */
  ConnectLinkView read(UUID id) {
    return QuarkusTransaction.requiringNew().call(() -> view(em.find(ConnectLink.class, id)));
  }

  public ConnectLinkView get(Caller caller, UUID id) {
    return QuarkusTransaction.requiringNew().call(() -> view(owned(caller, id, false)));
  }

  /** The link once it has ended, or as it is after {@code wait} seconds; answered from any replica. */
  public CompletionStage<ConnectLinkView> await(Caller caller, UUID id, int waitSeconds) {
    ConnectLinkView now = get(caller, id);
    if (waitSeconds == 0 || !now.isPending()) {
      return CompletableFuture.completedFuture(now);
    }
    return waiters.until(id, Duration.ofSeconds(waitSeconds), () -> get(caller, id));
  }

  public ConnectViews.ListView list(Caller caller, String status, int limit, long offset) {
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.validation("status", "must be one of " + String.join(", ", List.of(
          "pending", "awaiting_confirmation", "completed", "failed", "expired", "cancelled")));
    }
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              String where = "l.userId = :u and l.teamId = :t" + (status == null ? "" : " and l.status = :s");
              var items =
                  em.createQuery("select l from ConnectLink l where " + where + " order by l.createdAt desc, l.id desc", ConnectLink.class)
                      .setParameter("u", caller.userId())
                      .setParameter("t", caller.teamId());
              var total =
                  em.createQuery("select count(l) from ConnectLink l where " + where, Long.class)
                      .setParameter("u", caller.userId())
                      .setParameter("t", caller.teamId());
              if (status != null) {
                items.setParameter("s", status);
                total.setParameter("s", status);
              }
              List<ConnectLinkView> views =
                  items.setFirstResult((int) Math.min(offset, Integer.MAX_VALUE)).setMaxResults(limit).getResultStream().map(this::view).toList();
              return new ConnectViews.ListView(views, total.getSingleResult(), limit, offset);
            });
  }

  public ConnectLinkView cancel(Caller caller, UUID id) {
    ConnectLinkView v =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  ConnectLink l = owned(caller, id, true);
                  if (!ConnectLink.PENDING.equals(l.status)) {
                    throw ApiException.conflict("the link is " + l.status + ", not pending");
                  }
                  end(l, ConnectLink.CANCELLED, null);
                  return view(l);
                });
    return v;
  }

  /** The caller's own link (its user in its team); anything else is 404. */
  private ConnectLink owned(Caller caller, UUID id, boolean lock) {
    ConnectLink l = lock ? em.find(ConnectLink.class, id, LockModeType.PESSIMISTIC_WRITE) : em.find(ConnectLink.class, id);
    if (l == null || !l.userId.equals(caller.userId()) || !l.teamId.equals(caller.teamId())) {
      throw ApiException.notFound("connect link");
    }
    return l;
  }

  // ---- the verifier -------------------------------------------------------------------------

  /**
   * The operator's app confirms that the signed-in person is the link's creator. A valid code from
   * another user (or team) fails the link with {@code user_mismatch}.
   */
  public ConnectViews.ConfirmView confirm(Caller caller, UUID id, String flow) {
    if (flow == null || flow.isBlank() || flow.length() > 128) {
      throw ApiException.validation("flow", "is required");
    }
    byte[] hash = OpaqueTokens.sha256(flow);
    ConnectLink held =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  ConnectLink l = em.find(ConnectLink.class, id, LockModeType.PESSIMISTIC_WRITE);
                  if (l == null || l.confirmCodeHash == null || !java.security.MessageDigest.isEqual(l.confirmCodeHash, hash)) {
                    throw ApiException.notFound("connect link");
                  }
                  if (!ConnectLink.AWAITING.equals(l.status)) {
                    throw ApiException.conflict("the link is " + l.status + ", not awaiting_confirmation");
                  }
                  if (!l.userId.equals(caller.userId()) || !l.teamId.equals(caller.teamId())) {
                    failHeld(l, "user_mismatch");
                    return null;
                  }
                  if (!l.expiresAt.isAfter(Instant.now())) {
                    failHeld(l, null);
                    return null;
                  }
                  l.confirmCodeHash = null; // one use
                  em.detach(l);
                  return l;
                });
    if (held == null) {
      LOG.warnf("connect link %s: confirmation refused", id);
      throw ApiException.forbidden("this link was made for another person, or it expired; it can no longer be used");
    }
    UUID connectionId;
    try {
      connectionId = writeHeld(held);
    } catch (HeldFailure e) {
      QuarkusTransaction.requiringNew().run(() -> fail(em.find(ConnectLink.class, id, LockModeType.PESSIMISTIC_WRITE), e.code()));
      throw ApiException.conflict("the authorization could not be stored (" + e.code() + ")");
    }
    ConnectLinkView v = QuarkusTransaction.requiringNew().call(() -> view(em.find(ConnectLink.class, id)));
    LOG.infof("connect link %s confirmed: connection %s", id, connectionId);
    return new ConnectViews.ConfirmView(v, landingUrl(v).orElse(null));
  }

  /** Writes what a link holds for the verifier, and completes it in the same transaction. */
  private UUID writeHeld(ConnectLink held) {
    if (held.oauthFlowId != null) {
      return flows.completeHeld(held.oauthFlowId, connectionId -> completeNow(held.id, connectionId));
    }
    return pages.writeHeld(held);
  }

  /** Completes link {@code id} inside the caller's transaction; returns the connection id. */
  UUID completeNow(UUID id, UUID connectionId) {
    complete(em.find(ConnectLink.class, id, LockModeType.PESSIMISTIC_WRITE), connectionId);
    return connectionId;
  }

  private void failHeld(ConnectLink l, String error) {
    if (l.oauthFlowId != null) {
      flows.discardHeld(l.oauthFlowId);
    }
    if (error == null) {
      end(l, ConnectLink.EXPIRED, null);
    } else {
      fail(l, error);
    }
  }

  // ---- ending: the one place for success, the one place for failure --------------------------

  /**
   * The link completed with this connection (created, or repaired in place). Runs inside the
   * transaction that wrote the connection, so its {@code connect_link.completed} event commits with it.
   */
  void complete(ConnectLink l, UUID connectionId) {
    l.connectionId = connectionId;
    end(l, ConnectLink.COMPLETED, null);
    announce(COMPLETED_EVENT, l);
  }

  /** The link failed with this error code ({@code connect_link.failed}, in the same transaction). */
  void fail(ConnectLink l, String error) {
    end(l, ConnectLink.FAILED, error);
    announce(FAILED_EVENT, l);
  }

  static final String COMPLETED_EVENT = "connect_link.completed";
  static final String FAILED_EVENT = "connect_link.failed";

  /** The link's event (DESIGN §14): {@code data.link}, and {@code data.connection} when it has one. */
  private void announce(String type, ConnectLink l) {
    Map<String, Object> link = Map.of("link", view(l));
    Connection c = l.connectionId == null ? null : em.find(Connection.class, l.connectionId);
    if (c != null) {
      changes.record(type, connections.view(c), link);
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("connection", null);
    data.put("organization_id", l.organizationId);
    data.put("team_id", l.teamId);
    data.putAll(link);
    outbox.event(type, l.organizationId, data);
  }

  /** Every status change out of pending / awaiting_confirmation; the database announces it to waiters. */
  void end(ConnectLink l, String status, String error) {
    l.status = status;
    l.error = error;
    l.completedAt = Times.now();
    l.heldSecrets = null;
    l.confirmCodeHash = null;
    l.returnCodeHash = null;
    count(l.kind, status);
  }

  void count(String kind, String status) {
    Counter.builder("plugboard.connect.links")
        .description("connect links made (status pending) and ended, by kind and status")
        .tag("kind", kind)
        .tag("status", status)
        .register(registry)
        .increment();
  }

  // ---- maintenance ----------------------------------------------------------------------------

  /** Expires up to {@code batch} open links past their time (skipping rows another replica holds). */
  int expireDue(int batch) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              @SuppressWarnings("unchecked")
              List<ConnectLink> due =
                  em.createNativeQuery(
                          "SELECT * FROM connect_links WHERE status IN ('pending', 'awaiting_confirmation')"
                              + " AND expires_at <= now() ORDER BY expires_at LIMIT ?1 FOR UPDATE SKIP LOCKED",
                          ConnectLink.class)
                      .setParameter(1, batch)
                      .getResultList();
              for (ConnectLink l : due) {
                failHeld(l, null);
              }
              return due.size();
            });
  }

  /** Deletes up to {@code batch} links that ended longer than {@code retention} ago. */
  int purgeEnded(Duration retention, int batch) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                em.createNativeQuery(
                        "DELETE FROM connect_links WHERE id IN (SELECT id FROM connect_links WHERE completed_at < ?1"
                            + " LIMIT ?2 FOR UPDATE SKIP LOCKED)")
                    .setParameter(1, Instant.now().minus(retention))
                    .setParameter(2, batch)
                    .executeUpdate());
  }

  // ---- LinkedFlows: the OAuth callback of a link's flow ------------------------------------

  @Override
  public Optional<Instant> holdUntil(UUID linkId) {
    if (config.verifierUrl().filter(s -> !s.isBlank()).isEmpty()) {
      return Optional.empty();
    }
    return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(em.find(ConnectLink.class, linkId)).map(l -> l.expiresAt));
  }

  @Override
  public Outcome completed(UUID linkId, UUID connectionId) {
    ConnectLink l = em.find(ConnectLink.class, linkId, LockModeType.PESSIMISTIC_WRITE);
    complete(l, connectionId);
    LOG.infof("connect link %s completed: connection %s", linkId, connectionId);
    return landing(view(l));
  }

  @Override
  public Outcome held(UUID linkId, UUID flowId) {
    String code = OpaqueTokens.random256();
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              ConnectLink l = em.find(ConnectLink.class, linkId, LockModeType.PESSIMISTIC_WRITE);
              awaitConfirmation(l, code);
              l.oauthFlowId = flowId;
            });
    return new Outcome.Redirect(verifierUrl(linkId, code));
  }

  @Override
  public Outcome failed(UUID linkId, String error) {
    ConnectLinkView v =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  ConnectLink l = em.find(ConnectLink.class, linkId, LockModeType.PESSIMISTIC_WRITE);
                  if (l.open()) {
                    fail(l, error);
                  }
                  return view(l);
                });
    LOG.infof("connect link %s failed: %s", linkId, error);
    return landing(v);
  }

  /** Holds the link for the verifier with a one-time code (the caller sends the browser there). */
  void awaitConfirmation(ConnectLink l, String code) {
    l.status = ConnectLink.AWAITING;
    l.confirmCodeHash = OpaqueTokens.sha256(code);
    count(l.kind, ConnectLink.AWAITING);
  }

  String verifierUrl(UUID linkId, String code) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("connect_link_id", linkId.toString());
    q.put("flow", code);
    return FlowService.withQuery(config.verifierUrl().orElseThrow().trim(), q);
  }

  boolean verifierSet() {
    return config.verifierUrl().filter(s -> !s.isBlank()).isPresent();
  }

  /** Where the browser goes once a link has ended: its return URL with the outcome, or a Plugboard page. */
  Outcome landing(ConnectLinkView v) {
    Optional<String> url = landingUrl(v);
    if (url.isPresent()) {
      return new Outcome.Redirect(url.get());
    }
    boolean ok = ConnectLink.COMPLETED.equals(v.status());
    String what = v.name() != null ? v.name() : (v.provider() != null ? v.provider() : "The connection");
    return new Outcome.Page(
        ok ? 200 : 400,
        ok,
        ok
            ? what + " is connected. You can close this window."
            : "The connection could not be made (" + v.error() + "). You can close this window and ask for a new link.");
  }

  Optional<String> landingUrl(ConnectLinkView v) {
    if (v.returnUrl() == null) {
      return Optional.empty();
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("connect_link_id", v.id().toString());
    q.put("status", v.status());
    if (v.connectionId() != null && ConnectLink.COMPLETED.equals(v.status())) {
      q.put("connection_id", v.connectionId().toString());
    }
    if (v.error() != null) {
      q.put("error", v.error());
    }
    return Optional.of(FlowService.withQuery(v.returnUrl(), q));
  }

  // ---- views ----------------------------------------------------------------------------------

  /** The link's token, computed again from its id (empty when its key left the key ring). */
  Optional<String> token(ConnectLink l) {
    return crypto.derive(l.tokenKey, "connect_links.token:" + l.id);
  }

  ConnectLinkView view(ConnectLink l) {
    String url =
        ConnectLink.PENDING.equals(l.status) && l.consumedAt == null
            ? token(l).map(t -> urls.publicBaseUrl() + "/connect/" + t).orElse(null)
            : null;
    return new ConnectLinkView(
        l.id,
        url,
        l.status,
        l.kind,
        l.provider,
        l.serverUrl,
        l.name != null ? l.name : (l.composioApp != null ? l.composioApp : null),
        l.connectionId,
        l.error,
        l.returnUrl,
        l.createdAt,
        l.expiresAt,
        l.completedAt);
  }


  static List<String> list(String[] a) {
    return a == null ? List.of() : Arrays.asList(a);
  }
}
