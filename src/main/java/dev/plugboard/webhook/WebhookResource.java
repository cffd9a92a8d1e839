package dev.plugboard.webhook;

import dev.plugboard.api.JsonBodies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.admin.AdminAuthenticated;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Params;
import dev.plugboard.webhook.WebhookViews.CreateRequest;
import dev.plugboard.webhook.WebhookViews.CreatedView;
import dev.plugboard.webhook.WebhookViews.DeliveryPage;
import dev.plugboard.webhook.WebhookViews.DeliveryView;
import dev.plugboard.webhook.WebhookViews.EndpointView;
import dev.plugboard.webhook.WebhookViews.ListView;
import dev.plugboard.webhook.WebhookViews.SecretView;
import dev.plugboard.webhook.WebhookViews.TestView;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The operator API of webhooks (DESIGN §14). Thin: {@link WebhookService} owns the rules. */
@JsonBodies
@Path("/admin/v1/webhooks")
@SecurityRequirement(name = ContractOpenApi.ADMIN_TOKEN)
@AdminAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "Webhooks", description = "Signed connection lifecycle events (Standard Webhooks); operator token")
@APIResponse(responseCode = "401", description = "invalid_token: missing or wrong admin token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class WebhookResource {

  private static final String UUID_TEXT = "a UUID";

  @Inject WebhookService service;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "createWebhook", summary = "Subscribe an endpoint", description = "Returns the signing secret (whsec_...) once; it is stored encrypted and never shown again.")
  @APIResponse(responseCode = "201", description = "created, with its secret", content = @Content(schema = @Schema(implementation = CreatedView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed (bad url, unknown event type, unknown organization)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response create(CreateRequest in) {
    return Response.status(201).entity(service.create(in)).build();
  }

  @GET
  @Operation(operationId = "listWebhooks", summary = "List webhook endpoints, newest first")
  @APIResponse(responseCode = "200", description = "the endpoints (never their secrets)", content = @Content(schema = @Schema(implementation = ListView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (organization_id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public ListView list(
      @Parameter(description = "only endpoints bound to this organization", schema = @Schema(type = SchemaType.STRING, format = "uuid")) @QueryParam("organization_id") List<String> organizationId) {
    String org = Params.single("organization_id", organizationId);
    return new ListView(service.list(org == null ? null : Ids.parse("organization_id", org)));
  }

  @GET
  @Path("/{id}")
  @Operation(operationId = "getWebhook", summary = "One webhook endpoint")
  @APIResponse(responseCode = "200", description = "the endpoint", content = @Content(schema = @Schema(implementation = EndpointView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public EndpointView get(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    return service.get(Ids.parse("id", id));
  }

  @PATCH
  @Path("/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "updateWebhook", summary = "Change url, events, enabled or description", description = "Only the fields present change. events: null receives every type. Enabling clears disabled_reason.")
  @RequestBody(content = @Content(schema = @Schema(implementation = WebhookViews.UpdateRequest.class)))
  @APIResponse(responseCode = "200", description = "the endpoint as changed", content = @Content(schema = @Schema(implementation = EndpointView.class)))
  @APIResponse(responseCode = "400", description = "invalid_request or validation_failed", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public EndpointView update(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id, ObjectNode body) {
    return service.update(Ids.parse("id", id), body);
  }

  @DELETE
  @Path("/{id}")
  @Operation(operationId = "deleteWebhook", summary = "Unsubscribe an endpoint", description = "Its pending deliveries are dropped with it.")
  @APIResponse(responseCode = "204", description = "deleted")
  @APIResponse(responseCode = "400", description = "validation_failed (id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response delete(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    service.delete(Ids.parse("id", id));
    return Response.noContent().build();
  }

  @POST
  @Path("/{id}/rotate-secret")
  @Operation(operationId = "rotateWebhookSecret", summary = "Replace the signing secret", description = "Returns the new secret once. For plugboard.webhooks.secret-overlap (24 h) every delivery carries two signatures, one per secret.")
  @APIResponse(responseCode = "200", description = "the new secret", content = @Content(schema = @Schema(implementation = SecretView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public SecretView rotate(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    return new SecretView(service.rotate(Ids.parse("id", id)));
  }

  @POST
  @Path("/{id}/test")
  @Operation(operationId = "testWebhook", summary = "Send a webhook.test event to this endpoint now")
  @APIResponse(responseCode = "202", description = "queued and attempted at once; follow it in the delivery log", content = @Content(schema = @Schema(implementation = TestView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response test(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
    return Response.accepted(service.test(Ids.parse("id", id))).build();
  }

  @GET
  @Path("/{id}/deliveries")
  @Operation(operationId = "listWebhookDeliveries", summary = "The delivery log of an endpoint, newest first")
  @APIResponse(responseCode = "200", description = "a page of deliveries", content = @Content(schema = @Schema(implementation = DeliveryPage.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (id, status, limit or offset)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public DeliveryPage deliveries(
      @PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id,
      @Parameter(schema = @Schema(enumeration = {"pending", "succeeded", "failed"})) @QueryParam("status") List<String> status,
      @Parameter(description = "1–100, default 50", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100")) @QueryParam("limit") List<String> limit,
      @Parameter(description = "≥ 0, default 0", schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") List<String> offset) {
    return service.deliveries(
        Ids.parse("id", id),
        Params.single("status", status),
        (int) Params.integer("limit", limit, 50, 1, 100),
        Params.integer("offset", offset, 0, 0, 9007199254740991L));
  }

  @POST
  @Path("/{id}/deliveries/{delivery_id}/retry")
  @Operation(operationId = "retryWebhookDelivery", summary = "Send a delivery again now", description = "With a fresh retry schedule; also for a failed delivery. The webhook-id stays the same.")
  @APIResponse(responseCode = "202", description = "queued and attempted at once", content = @Content(schema = @Schema(implementation = DeliveryView.class)))
  @APIResponse(responseCode = "400", description = "validation_failed (an id is not " + UUID_TEXT + ")", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "404", description = "not_found (webhook or delivery)", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "409", description = "conflict: the webhook is disabled", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Response retry(
      @PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id,
      @PathParam("delivery_id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String deliveryId) {
    return Response.accepted(service.retry(Ids.parse("id", id), Ids.parse("delivery_id", deliveryId))).build();
  }
}
