package dev.plugboard.webhook;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.plugboard.api.Times;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of the webhook admin API (snake_case on the wire). */
public final class WebhookViews {
  private WebhookViews() {}

  @Schema(name = "WebhookCreateRequest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CreateRequest(
      @Schema(description = "absolute https URL (http only with PLUGBOARD_WEBHOOKS_ALLOW_HTTP)", required = true) String url,
      @Schema(description = "event types to receive; null or absent: every type") List<String> events,
      @Schema(description = "only this organization's events; null or absent: every organization", format = "uuid") String organizationId,
      String description) {}

  @Schema(name = "WebhookUpdateRequest", description = "Only the fields present change; events: null means every type.")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record UpdateRequest(String url, List<String> events, Boolean enabled, String description) {}

  @Schema(name = "Webhook")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record EndpointView(
      UUID id,
      String url,
      List<String> events,
      UUID organizationId,
      String description,
      boolean enabled,
      @Schema(description = "why deliveries stopped, e.g. the receiver answered 410 Gone") String disabledReason,
      String createdAt,
      String updatedAt) {
    static EndpointView of(WebhookEndpoint e) {
      return new EndpointView(
          e.id,
          e.url,
          e.events == null ? null : List.of(e.events),
          e.organizationId,
          e.description,
          e.enabled,
          e.disabledReason,
          Times.format(e.createdAt),
          Times.format(e.updatedAt));
    }
  }

  @Schema(name = "WebhookCreated", description = "secret is shown only here (and on rotation)")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record CreatedView(
      UUID id, String url, List<String> events, UUID organizationId, String description, boolean enabled, String secret, String createdAt) {}

  @Schema(name = "WebhookList")
  public record ListView(List<EndpointView> items) {}

  @Schema(name = "WebhookSecret")
  public record SecretView(@Schema(description = "whsec_ + base64 of 32 random bytes; shown only now") String secret) {}

  @Schema(name = "WebhookTest")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TestView(String eventId, UUID deliveryId) {}

  @Schema(name = "WebhookDelivery")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record DeliveryView(
      UUID id,
      @Schema(description = "the webhook-id header: the same on every retry and every endpoint") String eventId,
      String type,
      @Schema(enumeration = {"pending", "succeeded", "failed"}) String status,
      int attempts,
      Integer lastStatusCode,
      String lastError,
      @Schema(description = "when pending: the next attempt") String nextAttemptAt,
      String createdAt,
      String deliveredAt) {}

  @Schema(name = "WebhookDeliveryPage")
  public record DeliveryPage(List<DeliveryView> items, long total, int limit, long offset) {}
}
