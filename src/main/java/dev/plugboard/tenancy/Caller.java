package dev.plugboard.tenancy;

import java.util.UUID;

/**
 * Who is calling a {@code /v1} endpoint: the key's user in the key's team. {@code connectionsSharing}
 * is the organization's setting as read for this request.
 */
public record Caller(
    UUID apiKeyId,
    UUID userId,
    UUID teamId,
    UUID organizationId,
    String role,
    boolean connectionsSharing) {

  public boolean isTeamAdmin() {
    return "admin".equals(role);
  }
}
