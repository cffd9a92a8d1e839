package dev.plugboard.connect;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The ConnectLink object of DESIGN §13 (snake_case on the wire). */
@Schema(name = "ConnectLink")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ConnectLinkView(
    UUID id,
    @Schema(description = "absolute URL of the hosted page; open it in a browser") String url,
    @Schema(enumeration = {"pending", "awaiting_confirmation", "completed", "failed", "expired", "cancelled"})
        String status,
    @Schema(enumeration = {"native", "mcp_oauth", "secrets", "composio", "reconnect"}) String kind,
    @Schema(nullable = true) String provider,
    @Schema(nullable = true) String serverUrl,
    @Schema(nullable = true) String name,
    @Schema(nullable = true) UUID connectionId,
    @Schema(nullable = true) String error,
    @Schema(nullable = true) String returnUrl,
    Instant createdAt,
    Instant expiresAt,
    @Schema(nullable = true) Instant completedAt) {

  /** Not ended yet: the person may still act on it. */
  @JsonIgnore
  public boolean isPending() {
    return "pending".equals(status) || "awaiting_confirmation".equals(status);
  }
}
