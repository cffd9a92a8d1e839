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
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The Connection object of the contract (seed fields plus the published v2 extras). */
@Schema(name = "Connection")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConnectionView(
    UUID id,
    String name,
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
    @Schema(nullable = true) UUID createdBy,
    @Schema(nullable = true, format = "date-time") String brokenAt,
    @Schema(nullable = true) String brokenReason,
    @Schema(format = "date-time", example = "2026-11-27T10:08:17.123Z") String createdAt,
    @Schema(format = "date-time", example = "2026-11-27T10:08:17.123Z") String updatedAt) {

  /** A row of {@link ConnectionReads}: the columns of the entity plus has_headers and has_tokens. */
  static ConnectionView of(ResultSet r) throws SQLException {
    Array scopes = r.getArray("oauth_scopes");
    return new ConnectionView(
        r.getObject("id", UUID.class),
        r.getString("name"),
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
        scopes == null ? null : List.of((String[]) scopes.getArray()),
        r.getBoolean("has_headers"),
        r.getBoolean("has_tokens"),
        r.getString("integration_id"),
        r.getBoolean("shared"),
        r.getObject("created_by", UUID.class),
        Times.format(instant(r, "broken_at")),
        r.getString("broken_reason"),
        Times.format(instant(r, "created_at")),
        Times.format(instant(r, "updated_at")));
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static ConnectionView of(Connection c, boolean hasHeaders, boolean hasTokens) {
    return new ConnectionView(
        c.id,
        c.name,
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
        c.createdBy,
        Times.format(c.brokenAt),
        c.brokenReason,
        Times.format(c.createdAt),
        Times.format(c.updatedAt));
  }
}
