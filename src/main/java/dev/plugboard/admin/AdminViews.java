package dev.plugboard.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.plugboard.api.Times;
import dev.plugboard.tenancy.ApiKey;
import dev.plugboard.tenancy.Membership;
import dev.plugboard.tenancy.Organization;
import dev.plugboard.tenancy.Team;
import dev.plugboard.tenancy.User;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of the operator API (snake_case on the wire). */
public final class AdminViews {
  private AdminViews() {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record OrganizationRequest(String name, Boolean connectionsSharing) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record OrganizationView(UUID id, String name, boolean connectionsSharing) {
    static OrganizationView of(Organization o) {
      return new OrganizationView(o.id, o.name, o.connectionsSharing);
    }
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TeamRequest(String organizationId, String name) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TeamView(UUID id, UUID organizationId, String name) {
    static TeamView of(Team t) {
      return new TeamView(t.id, t.organizationId, t.name);
    }
  }

  public record UserRequest(String email, String name) {}

  public record UserView(UUID id, String email, String name) {
    static UserView of(User u) {
      return new UserView(u.id, u.email, u.name);
    }
  }

  public record MemberRequest(@Schema(enumeration = {"admin", "member"}) String role) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record MemberView(UUID teamId, UUID userId, String role) {
    static MemberView of(Membership m) {
      return new MemberView(m.id.teamId(), m.id.userId(), m.role);
    }
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ApiKeyRequest(
      String userId, String teamId, String name, @Schema(format = "date-time") String expiresAt) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ApiKeyView(
      UUID id,
      @Schema(description = "the key itself; shown only once") String key,
      String prefix,
      UUID userId,
      UUID teamId,
      String name,
      String createdAt,
      @Schema(nullable = true) String expiresAt) {
    static ApiKeyView of(ApiKey k, String key) {
      return new ApiKeyView(
          k.id, key, k.prefix, k.userId, k.teamId, k.name, Times.format(k.createdAt), Times.format(k.expiresAt));
    }
  }

  @Schema(name = "RevokeResult")
  public record DeleteResult(boolean success, String message) {}
}
