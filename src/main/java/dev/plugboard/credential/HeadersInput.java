package dev.plugboard.credential;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A header set as callers send it: plaintext values and secret values, by header name. */
@Schema(name = "Headers", description = "Header set: plaintext values are returned by /credentials, secret ones never are.")
public record HeadersInput(
    @Schema(description = "Headers stored and returned as they are", example = "{\"X-Workspace\": \"acme\"}")
        Map<String, String> plaintext,
    @Schema(description = "Headers encrypted at rest and never returned; on PATCH \"\" keeps the stored value", example = "{\"Authorization\": \"Bearer sk-...\"}")
        Map<String, String> secret) {

  public Map<String, String> plaintextOrEmpty() {
    return plaintext == null ? Map.of() : plaintext;
  }

  public Map<String, String> secretOrEmpty() {
    return secret == null ? Map.of() : secret;
  }

  @JsonIgnore // no wire property (it leaked into /q/openapi as "empty")
  public boolean isEmpty() {
    return plaintextOrEmpty().isEmpty() && secretOrEmpty().isEmpty();
  }
}
