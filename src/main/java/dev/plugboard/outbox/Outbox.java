package dev.plugboard.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The transactional outbox (DESIGN §14): whichever package commits a change calls this inside its
 * own transaction, so the event or job exists if and only if the change committed. After the commit
 * this replica tries the new jobs at once; every replica's dispatcher ({@link OutboxWorker}) takes
 * whatever is due, so a crash at any moment loses nothing.
 *
 * <ul>
 *   <li>{@link #event}: a lifecycle event (body {@code {type, timestamp, data}}); subscribers such as
 *       webhook endpoints are told through {@link Recorded} in the same transaction and add their jobs.
 *   <li>{@link #job}: a piece of work for an {@link OutboxHandler} of that kind, with the same retries.
 * </ul>
 */
@ApplicationScoped
public class Outbox {

  /** Standard Webhooks event types: dot-separated parts of {@code [a-zA-Z0-9_]}. */
  private static final Pattern TYPE = Pattern.compile("[a-zA-Z0-9_]+(\\.[a-zA-Z0-9_]+)*");
  private static final Object PENDING_KEY = new Object();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  /** Fired synchronously in the transaction that records an event: subscribers add their jobs. */
  public record Recorded(String eventId, String type, UUID organizationId) {}

  @Inject DataSource dataSource;
  @Inject ObjectMapper json;
  @Inject TransactionSynchronizationRegistry transactions;
  @Inject Event<Recorded> recorded;
  @Inject OutboxWorker worker;

  /**
   * Records event {@code type} for {@code organizationId} with {@code data} (never a secret), in the
   * caller's transaction, and returns its id (the {@code webhook-id}).
   */
  public String event(String type, UUID organizationId, Map<String, ?> data) {
    String id = insertEvent(type, organizationId, data);
    recorded.fire(new Recorded(id, type, organizationId));
    return id;
  }

  /** {@link #event} that no subscriber hears of: its owner adds the jobs itself (a test ping). */
  public String unannouncedEvent(String type, UUID organizationId, Map<String, ?> data) {
    return insertEvent(type, organizationId, data);
  }

  /** Adds a job in the caller's transaction; {@code payload} must already be sealed if secret. */
  public UUID job(String kind, String target, String eventId, String payload) {
    return job(UUID.randomUUID(), kind, target, eventId, payload);
  }

  /** {@link #job} with an id chosen by the caller (to bind a sealed payload to its row). */
  public UUID job(UUID id, String kind, String target, String eventId, String payload) {
    requireTransaction();
    execute(
        "INSERT INTO outbox_jobs (id, kind, target, event_id, payload, status, attempts, next_attempt_at, created_at)"
            + " VALUES (?, ?, ?, ?, ?, 'pending', 0, now(), now())",
        id, kind, target, eventId, payload);
    afterCommit(id);
    return id;
  }

  /**
   * Makes a job of {@code kind} due now with a fresh retry schedule (an ended one starts over; a
   * pending one keeps its attempts). False when there is no such job.
   */
  public boolean retryNow(UUID id, String kind) {
    requireTransaction();
    int n =
        execute(
            "UPDATE outbox_jobs SET next_attempt_at = now(), ended_at = NULL, status = 'pending',"
                + " attempts = CASE WHEN status = 'pending' THEN attempts ELSE 0 END WHERE id = ? AND kind = ?",
            id, kind);
    if (n > 0) {
      afterCommit(id);
    }
    return n > 0;
  }

  private String insertEvent(String type, UUID organizationId, Map<String, ?> data) {
    requireTransaction();
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("not an event type: " + type);
    }
    String id = newEventId();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type);
    body.put("timestamp", Times.format(Instant.now()));
    body.put("data", data);
    String text;
    try {
      text = json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event data of " + type + " is not JSON: " + e.getOriginalMessage());
    }
    execute(
        "INSERT INTO outbox_events (id, type, organization_id, body, created_at) VALUES (?, ?, ?, ?, now())",
        id, type, organizationId, text);
    return id;
  }

  /** {@code msg_} and 26 characters: 48 bits of milliseconds, then 80 random bits (ULID-like, no dots). */
  static String newEventId() {
    byte[] bytes = new byte[16];
    long millis = System.currentTimeMillis();
    for (int i = 0; i < 6; i++) {
      bytes[i] = (byte) (millis >>> (8 * (5 - i)));
    }
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    System.arraycopy(random, 0, bytes, 6, 10);
    StringBuilder out = new StringBuilder("msg_");
    java.math.BigInteger n = new java.math.BigInteger(1, bytes);
    char[] digits = new char[26];
    for (int i = 25; i >= 0; i--) {
      digits[i] = ALPHABET[n.intValue() & 31];
      n = n.shiftRight(5);
    }
    return out.append(digits).toString();
  }

  private void requireTransaction() {
    if (transactions.getTransactionKey() == null) {
      throw new IllegalStateException("the outbox is written inside the transaction of the change");
    }
  }

  /** After this transaction commits, this replica tries the job at once (other replicas may too). */
  private void afterCommit(UUID id) {
    @SuppressWarnings("unchecked")
    List<UUID> ids = (List<UUID>) transactions.getResource(PENDING_KEY);
    if (ids == null) {
      List<UUID> fresh = new ArrayList<>();
      transactions.putResource(PENDING_KEY, fresh);
      transactions.registerInterposedSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
              if (status == Status.STATUS_COMMITTED) {
                worker.soon(fresh);
              }
            }
          });
      ids = fresh;
    }
    ids.add(id);
  }

  private int execute(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(i + 1, p instanceof Instant t ? Timestamp.from(t) : p);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("outbox write failed", e);
    }
  }
}
