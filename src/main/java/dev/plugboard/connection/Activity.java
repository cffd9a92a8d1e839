package dev.plugboard.connection;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The audit trail of credential use: what is recorded and how it reads back. */
public final class Activity {

  private Activity() {}

  /** What used the credentials. */
  public enum Kind {
    /** a tools/call the MCP gateway forwarded (or refused) */
    TOOLS_CALL,
    /** POST /internal/v1/connections/{id}/resolve handed the credentials to a runtime */
    RESOLVE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How it ended: ok; error (upstream or resolution failed); refused (policy said no, nothing forwarded). */
  public enum Outcome {
    OK,
    ERROR,
    REFUSED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Schema(name = "ConnectionActivity")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record View(
      @Schema(format = "date-time") String at,
      @Schema(enumeration = {"tools_call", "resolve"}) String kind,
      @Schema(nullable = true, description = "the tool of a tools_call") String tool,
      @Schema(enumeration = {"ok", "error", "refused"}) String outcome,
      @Schema(nullable = true, description = "HTTP status of the upstream answer, when there was one") Integer upstreamStatus,
      long durationMs,
      @Schema(nullable = true, description = "null for /internal resolves (service token, no API key)") UUID apiKeyId,
      @Schema(nullable = true, description = "null for /internal resolves") UUID userId,
      UUID connectionId,
      UUID teamId) {}

  @Schema(name = "ConnectionActivityList")
  public record Page(List<View> items, long total, int limit, long offset) {}
}
