package dev.plugboard.connection;

import dev.plugboard.credential.CredentialService.Tokens;
import java.util.Optional;
import java.util.UUID;

/**
 * Events by which lower packages tell upper ones about connection life cycle, so that no package
 * imports upward (DESIGN §2).
 */
public final class ConnectionEvents {

  private ConnectionEvents() {}

  /** Fired synchronously inside the deleting transaction: remove what belongs to the connection. */
  public record Deleting(UUID connectionId) {}

  /**
   * Fired asynchronously after the deletion committed: best-effort clean-up elsewhere (revoke OAuth
   * tokens, delete a Composio account). Carries what is needed, since the rows are gone.
   */
  public record Deleted(
      UUID connectionId,
      String provider,
      String type,
      String composioMcpId,
      String integrationId,
      String oauthProvider,
      Optional<Tokens> tokens) {

    @Override
    public String toString() {
      return "Deleted[" + connectionId + ", " + provider + "/" + type + "]";
    }
  }
}
