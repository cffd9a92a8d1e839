package dev.plugboard.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Granted tokens as the JSON a flow holds (encrypted) while a connect link waits for its verifier. */
final class HeldGrants {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HeldGrants() {}

  static String seal(TokenClient.Granted g) {
    ObjectNode o = JSON.createObjectNode();
    o.put("access_token", g.accessToken());
    o.put("refresh_token", g.refreshToken());
    o.put("token_type", g.tokenType());
    o.put("expires_at", g.expiresAt() == null ? null : g.expiresAt().toString());
    if (g.scopes() != null) {
      ArrayNode scopes = o.putArray("scopes");
      g.scopes().forEach(scopes::add);
    }
    return o.toString();
  }

  static TokenClient.Granted open(String json) {
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("held grant is not JSON");
    }
    List<String> scopes = null;
    if (o.hasNonNull("scopes")) {
      scopes = new ArrayList<>();
      for (JsonNode s : o.get("scopes")) {
        scopes.add(s.asText());
      }
    }
    return new TokenClient.Granted(
        text(o, "access_token"),
        text(o, "refresh_token"),
        text(o, "token_type"),
        o.hasNonNull("expires_at") ? Instant.parse(o.get("expires_at").asText()) : null,
        scopes);
  }

  private static String text(JsonNode o, String field) {
    return o.hasNonNull(field) ? o.get(field).asText() : null;
  }
}
