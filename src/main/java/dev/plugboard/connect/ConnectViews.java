package dev.plugboard.connect;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of {@code /v1/connect/links} besides the link itself (wire names are snake_case). */
public final class ConnectViews {

  private ConnectViews() {}

  @Schema(name = "ConnectLinkList")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ListView(List<ConnectLinkView> items, long total, int limit, long offset) {}

  @Schema(name = "ConnectLinkConfirmRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ConfirmRequest(
      @Schema(required = true, description = "the one-time code the verifier page received as ?flow=") String flow) {

    @Override
    public String toString() {
      return "ConfirmRequest[flow redacted]";
    }
  }

  @Schema(name = "ConfirmedConnectLink", description = "The ConnectLink plus next_url")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ConfirmView(
      @JsonUnwrapped ConnectLinkView link,
      @Schema(nullable = true, description = "send the person's browser here (the link's return_url with the outcome), or null")
          String nextUrl) {}
}
