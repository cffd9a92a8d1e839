package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import dev.plugboard.credential.Crypto;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@code requestState} values Plugboard issues itself to 2026-07-28 agents (MCP multi round-trip
 * requests): sealed with the key ring, bound to the caller's API key, to the request (endpoint,
 * method, name) and to a short expiry, and usable once on any replica (the id of a used state is
 * kept in {@code mcp_request_states} until it would have expired). Nothing is written when one is
 * issued. Maintenance purges the used ids once they are past their expiry.
 */
@ApplicationScoped
public class RequestStates implements MaintenanceTask {

  /** What marks a requestState as Plugboard's own; any other value is the upstream's and passes through. */
  static final String PREFIX = "plugboard-rs1.";
  private static final String PURPOSE = "mcp-request-state";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of presenting a state. */
  enum Redeemed {
    VALID,
    INVALID
  }

  private final Crypto crypto;
  private final DataSource db;
  private final GatewayConfig config;
  private final MaintenanceConfig maintenance;

  RequestStates(Crypto crypto, DataSource db, GatewayConfig config, MaintenanceConfig maintenance) {
    this.crypto = crypto;
    this.db = db;
    this.config = config;
    this.maintenance = maintenance;
  }

  static boolean ours(String requestState) {
    return requestState != null && requestState.startsWith(PREFIX);
  }

  /** A fresh state for {@code request}, issued to the API key {@code apiKeyId}. */
  String issue(UUID apiKeyId, String request) {
    return issue(apiKeyId, request, Instant.now().plus(config.requestStateTtl()));
  }

  /** A state that expires at {@code expires} (the tests issue one already expired). */
  String issue(UUID apiKeyId, String request, Instant expires) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("id", UUID.randomUUID().toString());
    payload.put("key", apiKeyId.toString());
    payload.put("request", request);
    payload.put("exp", expires.getEpochSecond());
    return PREFIX + crypto.seal(payload.toString(), PURPOSE);
  }

  /**
   * Checks a state Plugboard issued and uses it up: valid only when it opens under the key ring,
   * was issued to {@code apiKeyId} for this very {@code request}, has not expired and was never
   * presented before. Any failure is the same answer, so a caller learns nothing from it.
   */
  Redeemed redeem(String requestState, UUID apiKeyId, String request) {
    Optional<String> opened = crypto.open(requestState.substring(PREFIX.length()), PURPOSE);
    if (opened.isEmpty()) {
      return Redeemed.INVALID;
    }
    JsonNode payload;
    UUID id;
    try {
      payload = JSON.readTree(opened.get());
      id = UUID.fromString(payload.path("id").asText());
    } catch (IOException | IllegalArgumentException e) {
      return Redeemed.INVALID;
    }
    Instant expires = Instant.ofEpochSecond(payload.path("exp").asLong(0));
    if (!apiKeyId.toString().equals(payload.path("key").asText()) || !request.equals(payload.path("request").asText()) || !Instant.now().isBefore(expires)) {
      return Redeemed.INVALID;
    }
    return firstUse(id, expires) ? Redeemed.VALID : Redeemed.INVALID;
  }

  /** Records the state's id; false when a replica already has (the state was used). */
  private boolean firstUse(UUID id, Instant expires) {
    String sql = "INSERT INTO mcp_request_states (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING";
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      ps.setTimestamp(2, Timestamp.from(expires));
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new DatabaseException("recording a used requestState failed", e);
    }
  }

  @Override
  public String name() {
    return "gateway.purge-request-states";
  }

  @Override
  public long run() {
    String sql =
        """
        DELETE FROM mcp_request_states WHERE ctid IN (
          SELECT ctid FROM mcp_request_states WHERE expires_at < statement_timestamp()
          LIMIT ? FOR UPDATE SKIP LOCKED)
        """;
    int batch = Math.max(1, maintenance.batchSize());
    long total = 0;
    int n;
    do {
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, batch);
        n = ps.executeUpdate();
      } catch (SQLException e) {
        throw new DatabaseException("purging used requestStates failed", e);
      }
      total += n;
    } while (n == batch);
    return total;
  }
}
