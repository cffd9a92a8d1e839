package dev.plugboard.composio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import dev.plugboard.composio.ComposioClient.Account;
import dev.plugboard.composio.ComposioClient.CreatedAccount;
import dev.plugboard.composio.ComposioViews.FinalizeRequest;
import dev.plugboard.composio.ComposioViews.StartRequest;
import dev.plugboard.composio.ComposioViews.StartView;
import dev.plugboard.connection.Connection;
import dev.plugboard.connection.ConnectionService;
import dev.plugboard.connection.ConnectionView;
import dev.plugboard.tenancy.Caller;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The two-step Composio flow (DESIGN §7): start creates a connected account at Composio and records
 * it against the caller; finalize checks it, provisions the auth config's MCP server and persists
 * the connection. Calls to Composio happen outside database transactions.
 */
@ApplicationScoped
public class ComposioService {

  private static final Logger LOG = Logger.getLogger(ComposioService.class);
  static final Set<String> OAUTH_SCHEMES = Set.of("OAUTH2", "OAUTH1");
  static final Set<String> CREDENTIAL_SCHEMES = Set.of("API_KEY", "BEARER_TOKEN", "BASIC");
  private static final int MAX_ID = 200;
  private static final int MAX_NAME = 200;

  @Inject ComposioClient composio;
  @Inject ConnectionService connections;
  @Inject dev.plugboard.connection.ConnectionChanges changes;
  @Inject EntityManager em;
  @Inject ObjectMapper mapper;

  // ---- start ----------------------------------------------------------------------------------

  public StartView start(Caller caller, StartRequest in) {
    composio.requireConfigured();
    String authConfigId = requireText("auth_config_id", in.authConfigId(), MAX_ID);
    String callbackUrl = ConnectionService.checkUrl("callback_url", requireText("callback_url", in.callbackUrl(), 2048));
    String scheme = in.authScheme() == null ? null : in.authScheme().trim().toUpperCase(Locale.ROOT);
    Map<String, Object> fields = in.authFields() == null ? Map.of() : in.authFields();
    if (scheme != null && !OAUTH_SCHEMES.contains(scheme) && !CREDENTIAL_SCHEMES.contains(scheme)) {
      throw ApiException.validation("auth_scheme", "must be one of OAUTH2, OAUTH1, API_KEY, BEARER_TOKEN, BASIC");
    }
    boolean credentials = scheme != null && CREDENTIAL_SCHEMES.contains(scheme);
    if (!credentials && !fields.isEmpty()) {
      throw ApiException.validation(
          "auth_scheme", "API_KEY, BEARER_TOKEN or BASIC is required when auth_fields are given");
    }
    if (credentials && fields.isEmpty()) {
      throw ApiException.validation("auth_fields", "the credential fields of " + scheme + " are required");
    }

    ObjectNode body = mapper.createObjectNode();
    body.putObject("auth_config").put("id", authConfigId);
    ObjectNode connection = body.putObject("connection");
    connection.put("user_id", caller.userId().toString());
    connection.put("callback_url", callbackUrl);
    if (credentials) {
      // Non-OAuth accounts are created ACTIVE with their credentials; OAuth ones send no state.
      ObjectNode state = connection.putObject("state");
      state.put("authScheme", scheme);
      ObjectNode val = state.putObject("val");
      val.put("status", "ACTIVE");
      fields.forEach((k, v) -> {
        if (!"status".equals(k)) {
          val.set(k, mapper.valueToTree(v));
        }
      });
    }
    CreatedAccount created = composio.createConnectedAccount(body);
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into composio_accounts (connected_account_id, user_id, team_id, auth_config_id,"
                            + " auth_scheme, created_at) values (?1, ?2, ?3, ?4, ?5, ?6)"
                            + " on conflict (connected_account_id) do nothing")
                    .setParameter(1, created.id())
                    .setParameter(2, caller.userId())
                    .setParameter(3, caller.teamId())
                    .setParameter(4, authConfigId)
                    .setParameter(5, scheme == null ? "OAUTH2" : scheme)
                    .setParameter(6, Times.now())
                    .executeUpdate());
    LOG.infof("started Composio account %s (auth config %s, status %s) for user %s", created.id(), authConfigId, created.status(), caller.userId());
    return new StartView(created.redirectUrl(), created.status(), created.id());
  }

  // ---- finalize -------------------------------------------------------------------------------

  /** The connection for the account: created now, or the one an earlier finalize created. */
  public ConnectionView finalize(Caller caller, FinalizeRequest in) {
    composio.requireConfigured();
    String app = requireText("app", in.app(), MAX_ID);
    String name = requireText("integration_name", in.integrationName(), MAX_NAME);
    String accountId = requireText("connected_account_id", in.connectedAccountId(), MAX_ID);

    ComposioAccount started =
        QuarkusTransaction.requiringNew().call(() -> owned(caller, accountId, false));
    if (started.connectionId != null) {
      return QuarkusTransaction.requiringNew().call(() -> connections.view(Connection.findById(started.connectionId)));
    }

    Account account = composio.connectedAccount(accountId);
    if (!"ACTIVE".equalsIgnoreCase(account.status())) {
      throw ApiException.conflict(
          "connected account " + accountId + " is " + account.status() + ", not ACTIVE; the user must finish authorizing first");
    }
    if (account.toolkit() == null || !account.toolkit().equalsIgnoreCase(app)) {
      throw ApiException.validation(
          "app", "connected account " + accountId + " belongs to toolkit " + account.toolkit() + ", not " + app);
    }
    String toolkit = account.toolkit().toLowerCase(Locale.ROOT);
    String authConfigId = account.authConfigId() != null ? account.authConfigId() : started.authConfigId;
    String serverId = mcpServerFor(authConfigId, toolkit);
    String url;
    try {
      url = composio.generateUrl(serverId, accountId);
    } catch (ApiException e) {
      if (e.status() != 404) {
        throw e;
      }
      // The cached server was deleted at Composio: make a new one, once.
      forget(authConfigId, serverId);
      serverId = mcpServerFor(authConfigId, toolkit);
      url = composio.generateUrl(serverId, accountId);
    }
    String mcpId = serverId;
    String serverUrl = url;
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              ComposioAccount row = owned(caller, accountId, true);
              if (row.connectionId != null) {
                return connections.view(Connection.findById(row.connectionId));
              }
              Connection c =
                  connections.createManaged(
                      caller.teamId(),
                      caller.userId(),
                      spec -> {
                        spec.provider = "composio";
                        spec.type = toolkit;
                        spec.name = name;
                        spec.composioMcpId = mcpId;
                        spec.serverUrl = serverUrl;
                        spec.transportType = "http";
                        spec.integrationId = accountId;
                      });
              em.flush();
              row.connectionId = c.id;
              row.toolkit = toolkit;
              LOG.infof("finalized Composio account %s as connection %s (MCP server %s)", accountId, c.id, mcpId);
              ConnectionView created = connections.view(c);
              changes.record(dev.plugboard.connection.ConnectionChanges.CREATED, created);
              return created;
            });
  }

  /** The caller's started account (404 when someone else started it or it was never started). */
  private ComposioAccount owned(Caller caller, String accountId, boolean lock) {
    var q =
        em.createQuery(
                "select a from ComposioAccount a where a.connectedAccountId = :id and a.userId = :user and a.teamId = :team",
                ComposioAccount.class)
            .setParameter("id", accountId)
            .setParameter("user", caller.userId())
            .setParameter("team", caller.teamId());
    if (lock) {
      q.setLockMode(LockModeType.PESSIMISTIC_WRITE);
    }
    return q.getResultStream()
        .findFirst()
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "not_found",
                    "connected account " + accountId + " was not started by you in this team (POST /v1/connections/composio/start)"));
  }

  /** The MCP server Plugboard made for the auth config, created on first use. */
  private String mcpServerFor(String authConfigId, String toolkit) {
    ComposioMcpServer cached =
        QuarkusTransaction.requiringNew().call(() -> ComposioMcpServer.<ComposioMcpServer>findById(authConfigId));
    if (cached != null) {
      return cached.mcpServerId;
    }
    String name = McpServerName.of(toolkit, authConfigId);
    String created = composio.createMcpServer(name, authConfigId);
    String winner =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  int inserted =
                      em.createNativeQuery(
                              "insert into composio_mcp_servers (auth_config_id, mcp_server_id, name, created_at)"
                                  + " values (?1, ?2, ?3, ?4) on conflict (auth_config_id) do nothing")
                          .setParameter(1, authConfigId)
                          .setParameter(2, created)
                          .setParameter(3, name)
                          .setParameter(4, Times.now())
                          .executeUpdate();
                  return inserted == 1
                      ? created
                      : ComposioMcpServer.<ComposioMcpServer>findById(authConfigId).mcpServerId;
                });
    if (!winner.equals(created)) {
      // A concurrent finalize created the auth config's server first: drop ours.
      try {
        composio.deleteMcpServer(created);
      } catch (ApiException e) {
        LOG.warnf("could not delete surplus Composio MCP server %s: %s", created, e.code());
      }
    }
    return winner;
  }

  private void forget(String authConfigId, String serverId) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                ComposioMcpServer.delete(
                    "authConfigId = ?1 and mcpServerId = ?2", authConfigId, serverId));
  }

  private static String requireText(String field, String value, int max) {
    if (value == null) {
      throw ApiException.validation(field, "is required");
    }
    if (value.isBlank()) {
      throw ApiException.validation(field, "must not be empty");
    }
    if (value.length() > max) {
      throw ApiException.validation(field, "at most " + max + " characters");
    }
    return value;
  }
}
