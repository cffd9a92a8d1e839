package dev.plugboard.connection;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.plugboard.api.Times;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The Connection object of the contract (seed fields plus the published v2 extras). */
@Schema(name = "Connection")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConnectionView(
    UUID id,
    String name,
    @Schema(
            pattern = "^[a-z0-9]+(_[a-z0-9]+)*$",
            description = "from the name, unique in the team, never changed; gateway tool names are <slug>__<tool>")
        String slug,
    @Schema(description = "custom_mcp, a native provider slug (gmail, ...) or a Composio app slug") String type,
    @Schema(enumeration = {"user", "native", "composio"}) String provider,
    @Schema(nullable = true, description = "owner of a personal connection; null when shared") UUID userId,
    UUID teamId,
    String serverUrl,
    @Schema(enumeration = {"http", "sse", "stdio"}) String transportType,
    @Schema(nullable = true, enumeration = {"url", "apikey", "headers", "oauth"}) String authMethod,
    @Schema(nullable = true) String composioMcpId,
    @Schema(nullable = true) UUID customIntegrationId,
    @Schema(nullable = true) String iconUrl,
    @Schema(nullable = true) String oauthProvider,
    @Schema(nullable = true) String oauthProviderKey,
    @Schema(nullable = true) List<String> oauthScopes,
    boolean hasHeaders,
    boolean hasOauthTokens,
    @Schema(nullable = true) String integrationId,
    boolean shared,
    @Schema(nullable = true, description = "tool names the gateway lists and forwards; null: every tool") List<String> allowedTools,
    @Schema(nullable = true) UUID createdBy,
    @Schema(nullable = true, format = "date-time") String brokenAt,
    @Schema(nullable = true) String brokenReason,
    @Schema(format = "date-time", example = "2026-11-27T10:08:17.123Z") String createdAt,
    @Schema(format = "date-time", example = "2026-11-27T10:08:17.123Z") String updatedAt) {

  /** A row of {@link ConnectionReads}: the columns of the entity plus has_headers and has_tokens. */
  static ConnectionView of(ResultSet r) throws SQLException {
    return new ConnectionView(
        r.getObject("id", UUID.class),
        r.getString("name"),
        r.getString("slug"),
        r.getString("type"),
        r.getString("provider"),
        r.getObject("user_id", UUID.class),
        r.getObject("team_id", UUID.class),
        r.getString("server_url"),
        r.getString("transport_type"),
        r.getString("auth_method"),
        r.getString("composio_mcp_id"),
        r.getObject("custom_integration_id", UUID.class),
        r.getString("icon_url"),
        r.getString("oauth_provider"),
        r.getString("oauth_provider_key"),
        strings(r.getArray("oauth_scopes")),
        r.getBoolean("has_headers"),
        r.getBoolean("has_tokens"),
        r.getString("integration_id"),
        r.getBoolean("shared"),
        strings(r.getArray("allowed_tools")),
        r.getObject("created_by", UUID.class),
        Times.format(instant(r, "broken_at")),
        r.getString("broken_reason"),
        Times.format(instant(r, "created_at")),
        Times.format(instant(r, "updated_at")));
  }

  private static List<String> strings(Array a) throws SQLException {
    return a == null ? null : List.of((String[]) a.getArray());
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Whether the gateway may list and forward {@code tool} for this connection ({@link ToolPolicy}). */
  public boolean toolAllowed(String tool) {
    return ToolPolicy.allows(allowedTools, tool);
  }

  /** The tools of {@code tools} this connection allows, in their order. */
  public <T> List<T> allowedOnly(Collection<T> tools, Function<T, String> name) {
    return ToolPolicy.filter(allowedTools, tools, name);
  }

  static ConnectionView of(Connection c, boolean hasHeaders, boolean hasTokens) {
    return new ConnectionView(
        c.id,
        c.name,
        c.slug,
        c.type,
        c.provider,
        c.userId,
        c.teamId,
        c.serverUrl,
        c.transportType,
        c.authMethod,
        c.composioMcpId,
        c.customIntegrationId,
        c.iconUrl,
        c.oauthProvider,
        c.oauthProviderKey,
        c.oauthScopes == null ? null : List.of(c.oauthScopes),
        hasHeaders,
        hasTokens,
        c.integrationId,
        c.shared,
        c.allowedTools == null ? null : List.of(c.allowedTools),
        c.createdBy,
        Times.format(c.brokenAt),
        c.brokenReason,
        Times.format(c.createdAt),
        Times.format(c.updatedAt));
  }
}
