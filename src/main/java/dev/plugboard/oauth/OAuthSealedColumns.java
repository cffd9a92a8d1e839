package dev.plugboard.oauth;

import dev.plugboard.credential.SealedColumns;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The encrypted columns of the OAuth engine, so key rotation re-encrypts them too. */
@ApplicationScoped
public class OAuthSealedColumns implements SealedColumns {

  @Override
  public List<Column> sealedColumns() {
    return List.of(
        new Column("oauth_flows", "id", "code_verifier", "true", id -> "oauth_flows.code_verifier:" + id),
        new Column("oauth_flows", "id", "client_secret", "client_secret is not null", id -> "oauth_flows.client_secret:" + id),
        new Column(
            "oauth_client_registrations",
            "id",
            "client_secret",
            "client_secret is not null",
            id -> "oauth_client_registrations.client_secret:" + id),
        // tokens of a deleted connection waiting for revocation (TokenRevoker)
        new Column("outbox_jobs", "id", "payload", "kind = '" + TokenRevoker.KIND + "'", TokenRevoker::payloadAad));
  }
}
