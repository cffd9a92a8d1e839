package dev.plugboard.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import dev.plugboard.composio.ComposioService;
import dev.plugboard.composio.ComposioViews;
import dev.plugboard.connection.Connection;
import dev.plugboard.connection.ConnectionChanges;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionViews;
import dev.plugboard.credential.CredentialService;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.HeadersInput;
import dev.plugboard.credential.OpaqueTokens;
import dev.plugboard.oauth.FlowService;
import dev.plugboard.oauth.FlowService.Outcome;
import dev.plugboard.oauth.OAuthUrls;
import dev.plugboard.tenancy.Caller;
import dev.plugboard.tenancy.CallerLookup;
import dev.plugboard.tenancy.Team;
import dev.plugboard.tenancy.User;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The hosted page of a link (DESIGN §13): what it shows, and what Continue and Cancel do. A GET
 * never changes a link; Continue consumes it with one conditional UPDATE, so of two concurrent
 * presses exactly one goes on.
 */
@ApplicationScoped
public class ConnectPages {

  private static final Logger LOG = Logger.getLogger(ConnectPages.class);
  private static final DateTimeFormatter EXPIRY =
      DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET_FIELD = "secret.";

  @Inject ConnectConfig config;
  @Inject ConnectLinkService links;
  @Inject FlowService flows;
  @Inject OAuthUrls urls;
  @Inject ComposioService composio;
  @Inject ConnectionService connections;
  @Inject ConnectionChanges changes;
  @Inject CallerLookup callers;
  @Inject Crypto crypto;
  @Inject EntityManager em;

  /** What a token leads to: nothing (404), a link that can no longer be used (410), or the page. */
  public sealed interface Shown {
    record Unknown() implements Shown {}

    record Gone() implements Shown {}

    record Open(PageView page) implements Shown {}

    /** Where the browser goes after Continue or Cancel. */
    record Next(Outcome outcome) implements Shown {}
  }

  // ---- GET ------------------------------------------------------------------------------------

  public Shown show(String token, String csrf) {
    return withUsable(token, false, l -> new Shown.Open(page(l, csrf, null)));
  }

  /** In one transaction: 404 for an unknown token, 410 for a link that cannot be used, else {@code then}. */
  private Shown withUsable(String token, boolean lock, java.util.function.Function<ConnectLink, Shown> then) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              Optional<ConnectLink> found = byToken(token);
              if (found.isEmpty()) {
                return new Shown.Unknown();
              }
              ConnectLink l = found.get();
              if (lock) {
                em.lock(l, LockModeType.PESSIMISTIC_WRITE);
                em.refresh(l);
              }
              return usable(l) ? then.apply(l) : new Shown.Gone();
            });
  }

  private Optional<ConnectLink> byToken(String token) {
    if (token == null || token.length() < 40 || token.length() > 64) {
      return Optional.empty();
    }
    return em.createQuery("select l from ConnectLink l where l.tokenHash = :h", ConnectLink.class)
        .setParameter("h", OpaqueTokens.sha256(token))
        .getResultStream()
        .findFirst();
  }

  private static boolean usable(ConnectLink l) {
    return ConnectLink.PENDING.equals(l.status) && l.consumedAt == null && l.expiresAt.isAfter(Instant.now());
  }

  private PageView page(ConnectLink l, String csrf, String problem) {
    User creator = em.find(User.class, l.userId);
    Team team = em.find(Team.class, l.teamId);
    String product = config.productName();
    String title;
    String what;
    String destination;
    String serverHost = l.serverUrl == null ? null : hostOf(l.serverUrl);
    boolean reconnect = "reconnect".equals(l.kind);
    if (l.secretHeaders != null) {
      title = (reconnect ? "Enter the keys for " : "Connect ") + l.name;
      what =
          "The MCP server \"" + l.name + "\" at " + serverHost + ". The values you type are stored encrypted by "
              + product + " and sent only to that server.";
      destination = null;
    } else if ("composio".equals(l.kind)) {
      title = "Connect " + l.composioApp;
      what = "Your " + l.composioApp + " account, through Composio, as \"" + l.name + "\".";
      destination = "Composio (" + hostOf(composioHost()) + "), then " + l.composioApp + "'s sign-in page";
    } else {
      String provider = l.provider == null ? null : flows.nativeProviderName(l.provider).orElse(l.provider);
      String label = provider != null ? provider : "the MCP server at " + serverHost;
      title = (reconnect ? "Reconnect " : "Connect ") + (provider != null ? provider : l.name);
      what =
          reconnect
              ? "Your existing connection \"" + l.name + "\" (" + label + "), authorized again."
              : "Your " + label + " account" + (l.name != null ? ", as \"" + l.name + "\"" : "") + ".";
      destination = flows.authorizationEndpoint(l.provider, l.serverUrl).map(ConnectPages::hostOf).orElse(null);
      if (destination == null) {
        destination = "the sign-in page of " + serverHost + " (found when you continue)";
      }
    }
    long minutes = Math.max(0, Duration.between(Instant.now(), l.expiresAt).toMinutes());
    return new PageView(
        product,
        creator == null ? "" : creator.name,
        creator == null ? "" : creator.email,
        team == null ? "" : team.name,
        title,
        what,
        destination,
        EXPIRY.format(l.expiresAt),
        minutes,
        csrf,
        ConnectLinkService.list(l.secretHeaders),
        problem);
  }

  private String composioHost() {
    return org.eclipse.microprofile.config.ConfigProvider.getConfig()
        .getOptionalValue("plugboard.composio.base-url", String.class)
        .orElse("https://backend.composio.dev");
  }

  /** The host of a URL, with its port when it is not the scheme's default. */
  static String hostOf(String url) {
    try {
      URI u = new URI(url);
      String host = u.getHost() == null ? url : u.getHost();
      int port = u.getPort();
      boolean standard = port == -1 || ("https".equalsIgnoreCase(u.getScheme()) && port == 443) || ("http".equalsIgnoreCase(u.getScheme()) && port == 80);
      return standard ? host : host + ":" + port;
    } catch (Exception e) {
      return url;
    }
  }

  // ---- POST -----------------------------------------------------------------------------------

  public Shown cancel(String token) {
    return withUsable(
        token,
        true,
        l -> {
          links.end(l, ConnectLink.CANCELLED, null);
          LOG.infof("connect link %s cancelled on its page", l.id);
          return new Shown.Next(
              links.landingUrl(links.view(l))
                  .<Outcome>map(Outcome.Redirect::new)
                  .orElse(new Outcome.Page(200, false, "Nothing was connected. You can close this window.")));
        });
  }

  /** Continue: checks typed secrets, consumes the link, then starts what the link is for. */
  public Shown proceed(String token, String csrf, Map<String, String> typed) {
    Optional<ConnectLink> found = QuarkusTransaction.requiringNew().call(() -> byToken(token));
    if (found.isEmpty()) {
      return new Shown.Unknown();
    }
    ConnectLink l = found.get();
    if (!usable(l)) {
      return new Shown.Gone();
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    if (l.secretHeaders != null) {
      for (String name : l.secretHeaders) {
        String v = typed.get(name);
        if (v == null || v.isBlank()) {
          return reask(l, csrf, "Please fill in " + name + ".");
        }
        secrets.put(name, v.strip());
      }
      try {
        CredentialService.validate(new HeadersInput(null, secrets), false);
      } catch (ApiException e) {
        return reask(l, csrf, "A value cannot be used: " + e.getMessage().replaceFirst("^headers\\.secret\\.", ""));
      }
    }
    if (!consume(l.id)) {
      return new Shown.Gone();
    }
    LOG.infof("connect link %s: Continue pressed", l.id);
    Optional<Caller> creator = QuarkusTransaction.requiringNew().call(() -> callers.forMember(l.userId, l.teamId));
    if (creator.isEmpty()) {
      return new Shown.Next(links.failed(l.id, "access_denied"));
    }
    try {
      return new Shown.Next(start(l, creator.get(), secrets));
    } catch (ApiException e) {
      String error = errorFor(l, e);
      LOG.infof("connect link %s could not start (%s: %s)", l.id, e.code(), error);
      return new Shown.Next(links.failed(l.id, error));
    }
  }

  private Shown reask(ConnectLink l, String csrf, String problem) {
    return new Shown.Open(QuarkusTransaction.requiringNew().call(() -> page(l, csrf, problem)));
  }

  /** Marks the link used, atomically: exactly one of concurrent Continues gets true. */
  private boolean consume(UUID id) {
    int n =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createQuery(
                            "update ConnectLink l set l.consumedAt = :now where l.id = :id and l.status = 'pending'"
                                + " and l.consumedAt is null and l.expiresAt > :now")
                        .setParameter("now", Times.now())
                        .setParameter("id", id)
                        .executeUpdate());
    return n == 1;
  }

  private Outcome start(ConnectLink l, Caller creator, Map<String, String> secrets) {
    if (l.secretHeaders != null) {
      return secrets(l, secrets);
    }
    boolean reconnect = "reconnect".equals(l.kind);
    UUID target = reconnect ? l.connectionId : null;
    if (reconnect && target == null) {
      throw ApiException.notFound("connection");
    }
    switch (l.kind) {
      case "composio":
        return composioStart(l, creator);
      case "native":
        return new Outcome.Redirect(flows.startNativeForLink(creator, l.provider, l.name, null, l.id));
      case "mcp_oauth":
        return new Outcome.Redirect(flows.startMcpForLink(creator, l.serverUrl, l.name, null, l.id, null));
      default:
        return new Outcome.Redirect(
            l.provider != null
                ? flows.startNativeForLink(creator, l.provider, null, target, l.id)
                : flows.startMcpForLink(creator, l.serverUrl, null, target, l.id, l.scopes == null ? null : List.of(l.scopes)));
    }
  }

  /** The error code a link fails with when its flow cannot start. */
  private static String errorFor(ConnectLink l, ApiException e) {
    switch (e.code()) {
      case "url_not_allowed":
      case "dcr_not_supported":
        return e.code();
      case "upstream_error":
      case "upstream_timeout":
      case "service_unavailable":
        return "upstream_error";
      case "not_found":
      case "forbidden":
        return "access_denied";
      default:
        return l.serverUrl != null && l.provider == null && !"composio".equals(l.kind) ? "discovery_failed" : "upstream_error";
    }
  }

  // ---- secrets --------------------------------------------------------------------------------

  private Outcome secrets(ConnectLink l, Map<String, String> values) {
    if (links.verifierSet()) {
      String code = OpaqueTokens.random256();
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                ConnectLink row = em.find(ConnectLink.class, l.id, LockModeType.PESSIMISTIC_WRITE);
                row.heldSecrets = crypto.encrypt(sealed(values), row.aad("held_secrets"));
                links.awaitConfirmation(row, code);
              });
      return new Outcome.Redirect(links.verifierUrl(l.id, code));
    }
    UUID connectionId = QuarkusTransaction.requiringNew().call(() -> writeSecrets(l, values));
    LOG.infof("connect link %s completed: connection %s", l.id, connectionId);
    return links.landing(links.read(l.id));
  }

  /** Writes typed secrets (a new custom connection, or new values in place) and completes the link; in the caller's transaction. */
  private UUID writeSecrets(ConnectLink l, Map<String, String> values) {
    Caller creator = callers.forMember(l.userId, l.teamId).orElseThrow(() -> ApiException.forbidden("the link's creator left the team"));
    UUID id;
    if (l.connectionId == null) {
      id =
          connections.create(
                  creator,
                  new ConnectionViews.CreateRequest(
                      l.name,
                      l.serverUrl,
                      null,
                      "user",
                      values.size() == 1 ? "apikey" : "headers",
                      null,
                      new HeadersInput(null, values),
                      null,
                      null))
              .id();
    } else {
      id = l.connectionId;
      Map<String, String> plaintext = new LinkedHashMap<>();
      Map<String, String> secret = new LinkedHashMap<>();
      connections.maskedCredentials(creator, id).forEach((k, v) -> (v.isEmpty() ? secret : plaintext).put(k, v));
      secret.replaceAll((k, v) -> values.getOrDefault(k, ""));
      connections.update(
          creator,
          id,
          new ConnectionViews.UpdateRequest(null, null, null, null, null, new HeadersInput(plaintext, secret), null),
          Set.of("headers"));
      Connection c = connections.writable(creator, id);
      c.brokenAt = null;
      c.brokenReason = null;
      changes.record(ConnectionChanges.RECONNECTED, connections.view(c));
    }
    return links.completeNow(l.id, id);
  }

  /** Writes what a link held for the verifier (typed secrets, a Composio account); completes it. */
  UUID writeHeld(ConnectLink held) {
    if (held.heldSecrets != null) {
      Map<String, String> values = opened(crypto.decrypt(held.heldSecrets, held.aad("held_secrets")));
      return QuarkusTransaction.requiringNew().call(() -> writeSecrets(held, values));
    }
    return composioFinish(held);
  }

  private static String sealed(Map<String, String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> opened(String json) {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("held secrets are not JSON");
    }
  }

  // ---- composio -------------------------------------------------------------------------------

  private Outcome composioStart(ConnectLink l, Caller creator) {
    String code = OpaqueTokens.random256();
    QuarkusTransaction.requiringNew()
        .run(() -> em.find(ConnectLink.class, l.id, LockModeType.PESSIMISTIC_WRITE).returnCodeHash = OpaqueTokens.sha256(code));
    ComposioViews.StartView started =
        composio.start(
            creator,
            new ComposioViews.StartRequest(l.composioAuthConfigId, urls.publicBaseUrl() + "/connect/return/" + code, null, null));
    QuarkusTransaction.requiringNew()
        .run(() -> em.find(ConnectLink.class, l.id, LockModeType.PESSIMISTIC_WRITE).composioAccountId = started.connectedAccountId());
    if (started.redirectUrl() == null) {
      return composioReturned(l.id);
    }
    return new Outcome.Redirect(started.redirectUrl());
  }

  /** Composio sent the browser back to the link's one-time return URL. */
  public Shown composioReturn(String code) {
    if (code == null || code.length() < 40 || code.length() > 64) {
      return new Shown.Unknown();
    }
    Optional<UUID> id =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createQuery("select l.id from ConnectLink l where l.returnCodeHash = :h and l.status = 'pending'", UUID.class)
                        .setParameter("h", OpaqueTokens.sha256(code))
                        .getResultStream()
                        .findFirst());
    return id.<Shown>map(i -> new Shown.Next(composioReturned(i))).orElse(new Shown.Gone());
  }

  private Outcome composioReturned(UUID id) {
    ConnectLink l = QuarkusTransaction.requiringNew().call(() -> em.find(ConnectLink.class, id));
    if (links.verifierSet()) {
      String code = OpaqueTokens.random256();
      QuarkusTransaction.requiringNew()
          .run(() -> links.awaitConfirmation(em.find(ConnectLink.class, id, LockModeType.PESSIMISTIC_WRITE), code));
      return new Outcome.Redirect(links.verifierUrl(id, code));
    }
    try {
      composioFinish(l);
    } catch (ApiException e) {
      return links.failed(id, e.status() == 409 ? "access_denied" : "upstream_error");
    }
    return links.landing(links.read(id));
  }

  private UUID composioFinish(ConnectLink l) {
    Caller creator = QuarkusTransaction.requiringNew().call(() -> callers.forMember(l.userId, l.teamId))
        .orElseThrow(() -> ApiException.forbidden("the link's creator left the team"));
    UUID connectionId =
        composio.finalize(creator, new ComposioViews.FinalizeRequest(l.composioApp, l.name, l.composioAccountId)).id();
    QuarkusTransaction.requiringNew().run(() -> links.completeNow(l.id, connectionId));
    LOG.infof("connect link %s completed: connection %s", l.id, connectionId);
    return connectionId;
  }
}
