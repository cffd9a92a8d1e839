package dev.plugboard.credential;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** The encrypted columns of this package: secret header values and OAuth token fields. */
@ApplicationScoped
public class CredentialColumns implements SealedColumns {

  @Override
  public List<Column> sealedColumns() {
    return List.of(
        new Column("connection_headers", "id", "value", "secret", id -> ConnectionHeader.aad((UUID) id)),
        token("access_token"),
        token("refresh_token"),
        token("client_secret"));
  }

  private static Column token(String field) {
    return new Column("oauth_tokens", "connection_id", field, "true", id -> OAuthToken.aad((UUID) id, field));
  }
}
