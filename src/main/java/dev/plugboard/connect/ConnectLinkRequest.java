package dev.plugboard.connect;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code POST /v1/connect/links}: exactly one target, {@code {provider}} | {@code {mcp_server_url,
 * name}} | {@code {server_url, name, secret_headers}} | {@code {composio_auth_config_id, app, name}}
 * | {@code {connection_id}} (DESIGN §13).
 */
@Schema(name = "ConnectLinkRequest")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConnectLinkRequest(
    String provider,
    @Schema(format = "uri") String mcpServerUrl,
    @Schema(format = "uri") String serverUrl,
    List<String> secretHeaders,
    String composioAuthConfigId,
    String app,
    String name,
    UUID connectionId,
    @Schema(description = "absolute URL on an allowed host, or a path on the frontend") String returnUrl,
    @Schema(description = "seconds, 60-86400; default plugboard.connect.link-ttl") Integer expiresIn) {}
