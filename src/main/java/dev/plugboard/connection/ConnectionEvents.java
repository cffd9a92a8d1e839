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
   * Fired synchronously inside the deleting transaction, before the rows go: observers put their
   * clean-up elsewhere (revoke OAuth tokens, delete a Composio account) on the outbox, so it happens
   * if and only if the deletion commits, with retries. Carries what is needed, since the rows go.
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
