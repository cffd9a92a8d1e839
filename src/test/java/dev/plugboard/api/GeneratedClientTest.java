package dev.plugboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.generated.client.ApiClient;
import dev.plugboard.generated.client.ApiException;
import dev.plugboard.generated.client.api.AdminApi;
import dev.plugboard.generated.client.api.ConnectionsApi;
import dev.plugboard.generated.client.api.InternalApi;
import dev.plugboard.generated.client.model.ApiKeyRequest;
import dev.plugboard.generated.client.model.Connection;
import dev.plugboard.generated.client.model.ConnectionList;
import dev.plugboard.generated.client.model.CreateConnectionRequest;
import dev.plugboard.generated.client.model.Error;
import dev.plugboard.generated.client.model.Headers;
import dev.plugboard.generated.client.model.MemberRequest;
import dev.plugboard.generated.client.model.OrganizationRequest;
import dev.plugboard.generated.client.model.TeamRequest;
import dev.plugboard.generated.client.model.UpdateConnectionRequest;
import dev.plugboard.generated.client.model.UserRequest;
import dev.plugboard.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The API through a client none of us wrote: OpenAPI Generator's Java client (library native),
 * generated at build time from docs/openapi.json (which OpenApiContractTest keeps equal to
 * /q/openapi), against the running app. If the document misdescribes a path, a body, a parameter or
 * a status, these calls fail.
 */
@QuarkusTest
class GeneratedClientTest {

  @TestHTTPResource("/") URL base;

  /** A generated ApiClient for this app, sending {@code Authorization: Bearer <token>}. */
  private ApiClient client(String token) {
    ApiClient client = new ApiClient();
    client.updateBaseUri(base.toString().replaceAll("/$", ""));
    client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    return client;
  }

  @Test
  void connectionLifecycleThroughTheGeneratedClient() throws Exception {
    // The tenant, as an operator sets it up through the admin API (adminToken scheme).
    AdminApi admin = new AdminApi(client(Fixtures.ADMIN_TOKEN));
    UUID org = admin.createOrganization(new OrganizationRequest().name("org-" + UUID.randomUUID()).connectionsSharing(true)).getId();
    UUID team = admin.createTeam(new TeamRequest().organizationId(org.toString()).name("team")).getId();
    UUID user = admin.createUser(new UserRequest().email(UUID.randomUUID() + "@example.test").name("user")).getId();
    admin.setTeamMember(team.toString(), user.toString(), new MemberRequest().role(MemberRequest.RoleEnum.MEMBER));
    String key = admin.createApiKey(new ApiKeyRequest().userId(user.toString()).teamId(team.toString()).name("generated client")).getKey();
    ConnectionsApi api = new ConnectionsApi(client(key));

    // create (twice with one Idempotency-Key: the second is the first's replay)
    CreateConnectionRequest body =
        new CreateConnectionRequest()
            .name("Linear")
            .serverUrl(URI.create("https://mcp.example.test/mcp"))
            .provider(CreateConnectionRequest.ProviderEnum.USER)
            .authMethod(CreateConnectionRequest.AuthMethodEnum.HEADERS)
            .headers(new Headers().plaintext(Map.of("X-Team", "core")).secret(Map.of("Authorization", "Bearer lin_secret_1")));
    String idempotencyKey = UUID.randomUUID().toString();
    Connection created = api.createConnection(body, idempotencyKey);
    assertEquals("Linear", created.getName());
    assertEquals("linear", created.getSlug());
    assertEquals(Connection.ProviderEnum.USER, created.getProvider());
    assertEquals(Connection.AuthMethodEnum.HEADERS, created.getAuthMethod());
    assertEquals(user, created.getUserId());
    assertEquals(team, created.getTeamId());
    assertTrue(created.getHasHeaders());
    assertNotNull(created.getCreatedAt());
    assertEquals(created.getId(), api.createConnection(body, idempotencyKey).getId());
    UUID id = created.getId();

    // list, get
    ConnectionList list = api.listConnections(20, 0, null);
    assertEquals(1L, list.getTotal());
    assertEquals(20, list.getLimit());
    assertEquals(id, list.getIntegrations().get(0).getId());
    assertEquals("https://mcp.example.test/mcp", api.getConnection(id).getServerUrl());

    // credentials: plaintext values, secret ones as ""
    assertEquals(Map.of("X-Team", "core", "Authorization", ""), api.getConnectionCredentials(id).getHeaders());

    // patch: rename, change the plaintext header, keep the secret with ""
    Connection patched =
        api.updateConnection(
            id, new UpdateConnectionRequest().name("Linear (core)").headers(new Headers().plaintext(Map.of("X-Team", "infra")).secret(Map.of("Authorization", ""))), null);
    assertEquals("Linear (core)", patched.getName());
    assertEquals("linear", patched.getSlug());
    assertEquals(Map.of("X-Team", "infra", "Authorization", ""), api.getConnectionCredentials(id).getHeaders());
    // the kept secret is still the first one (internalToken scheme)
    var resolved = new InternalApi(client(Fixtures.INTERNAL_TOKEN)).resolveConnection(id.toString());
    assertEquals(Map.of("X-Team", "infra", "Authorization", "Bearer lin_secret_1"), resolved.getHeaders());

    // errors arrive as the document's Error schema
    ApiException missing = assertThrows(ApiException.class, () -> api.getConnection(UUID.randomUUID()));
    assertEquals(404, missing.getCode());
    assertEquals("not_found", new ObjectMapper().readValue(missing.getResponseBody(), Error.class).getError());

    // delete
    assertTrue(api.deleteConnection(id, null).getSuccess());
    assertEquals(404, assertThrows(ApiException.class, () -> api.getConnection(id)).getCode());
    assertEquals(0L, api.listConnections(null, null, null).getTotal());
  }

  @Test
  void aWrongKeyIsRefusedWithTheErrorSchema() throws Exception {
    ApiException refused = assertThrows(ApiException.class, () -> new ConnectionsApi(client("pb_not_a_key")).listConnections(null, null, null));
    assertEquals(401, refused.getCode());
    assertEquals("invalid_token", new ObjectMapper().readValue(refused.getResponseBody(), Error.class).getError());
  }
}
