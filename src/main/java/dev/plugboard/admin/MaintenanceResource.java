package dev.plugboard.admin;

import dev.plugboard.api.JsonBodies;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.plugboard.api.ContractOpenApi;
import dev.plugboard.api.ErrorBody;
import dev.plugboard.api.Maintenance;
import dev.plugboard.credential.KeyRotation;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operator chores: the periodic tasks on demand, and encryption key rotation. */
@JsonBodies
@Path("/admin/v1")
@AdminAuthenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "Admin", description = "Operator API (Authorization: Bearer <PLUGBOARD_ADMIN_TOKEN>)")
@APIResponse(responseCode = "401", description = "invalid_token", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
@SecurityRequirement(name = ContractOpenApi.ADMIN_TOKEN)
public class MaintenanceResource {

  @Inject Maintenance maintenance;
  @Inject KeyRotation rotation;

  @Schema(name = "MaintenanceRun")
  public record RunView(List<Maintenance.Result> tasks) {}

  @Schema(name = "KeyRotation")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record RotationView(String activeKey, Map<String, Long> reencrypted, Map<String, Long> failed, List<KeyView> keys) {}

  @Schema(name = "KeyUse")
  public record KeyView(
      String id,
      boolean active,
      @Schema(description = "false: values use a key id this replica does not know; they cannot be decrypted") boolean configured,
      @Schema(description = "stored values encrypted with this key; 0 means the key may be retired") long values) {
    static KeyView of(KeyRotation.KeyUse u) {
      return new KeyView(u.id(), u.active(), u.configured(), u.values());
    }
  }

  @Schema(name = "KeyRing")
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record KeysView(String activeKey, List<KeyView> keys) {}

  @POST
  @Path("/maintenance/run")
  @Operation(
      operationId = "runMaintenance",
      summary = "Run every periodic task now",
      description = "Purges expired idempotency records, re-encrypts values under the active key, and runs the tasks other capabilities register. Idempotent; safe on several replicas at once (SKIP LOCKED batches). For scale-to-zero hosting, call it from a CronJob.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RunView.class)))
  public RunView run() {
    return new RunView(maintenance.runAll());
  }

  @POST
  @Path("/crypto/rotate")
  @Operation(
      operationId = "rotateEncryptionKey",
      summary = "Re-encrypt every stored secret under the active key",
      description = "Without downtime: batches of rows, each its own short transaction. Values that cannot be decrypted are counted in failed and logged; they do not stop the others. A key whose values count is 0 may be removed from PLUGBOARD_CRYPTO_KEYS.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RotationView.class)))
  public RotationView rotate() {
    KeyRotation.Report r = rotation.rotate();
    return new RotationView(r.activeKey(), r.reencrypted(), r.failed(), keys());
  }

  @GET
  @Path("/crypto/keys")
  @Operation(operationId = "listEncryptionKeys", summary = "Which encryption keys stored values use", description = "Retire a key (remove it from PLUGBOARD_CRYPTO_KEYS) once its values count is 0.")
  @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = KeysView.class)))
  public KeysView keyRing() {
    return new KeysView(rotation.activeKeyId(), keys());
  }

  private List<KeyView> keys() {
    return rotation.usage().stream().map(KeyView::of).toList();
  }
}
