package dev.plugboard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.DatabaseException;
import dev.plugboard.api.Ids;
import dev.plugboard.api.Times;
import dev.plugboard.credential.Crypto;
import dev.plugboard.credential.SealedColumns;
import dev.plugboard.outbox.Outbox;
import dev.plugboard.webhook.WebhookViews.CreateRequest;
import dev.plugboard.webhook.WebhookViews.CreatedView;
import dev.plugboard.webhook.WebhookViews.DeliveryPage;
import dev.plugboard.webhook.WebhookViews.DeliveryView;
import dev.plugboard.webhook.WebhookViews.EndpointView;
import dev.plugboard.webhook.WebhookViews.TestView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/** Webhook endpoints (DESIGN §14): subscriptions, secrets, the test ping, the delivery log. */
@ApplicationScoped
public class WebhookService implements SealedColumns {

  /** Job kind of a delivery: target = endpoint id, payload = event type. */
  static final String KIND = "webhook";
  static final String TEST_EVENT = "webhook.test";
  static final Set<String> EVENT_TYPES =
      Set.of(
          "connection.created",
          "connection.updated",
          "connection.reconnected",
          "connection.refresh_failed",
          "connection.broken",
          "connection.deleted",
          "connect_link.completed",
          "connect_link.failed",
          TEST_EVENT);
  static final Set<String> STATUSES = Set.of("pending", "succeeded", "failed");
  private static final int MAX_URL = 2048;

  @Inject EntityManager em;
  @Inject DataSource dataSource;
  @Inject Crypto crypto;
  @Inject Outbox outbox;
  @Inject WebhooksConfig config;

  @Transactional
  public CreatedView create(CreateRequest in) {
    WebhookEndpoint e = new WebhookEndpoint();
    e.id = UUID.randomUUID();
    e.url = checkUrl(in.url());
    e.events = checkEvents(in.events());
    if (in.organizationId() != null) {
      e.organizationId = Ids.parse("organization_id", in.organizationId());
      if (em.createNativeQuery("SELECT 1 FROM organizations WHERE id = ?").setParameter(1, e.organizationId).getResultList().isEmpty()) {
        throw ApiException.validation("organization_id", "no such organization");
      }
    }
    e.description = checkDescription(in.description());
    e.enabled = true;
    String secret = Signatures.newSecret();
    e.secret = crypto.encrypt(secret, WebhookEndpoint.secretAad(e.id));
    e.createdAt = Times.now();
    e.updatedAt = e.createdAt;
    e.persist();
    EndpointView v = EndpointView.of(e);
    return new CreatedView(v.id(), v.url(), v.events(), v.organizationId(), v.description(), v.enabled(), secret, v.createdAt());
  }

  public List<EndpointView> list(UUID organizationId) {
    List<WebhookEndpoint> rows =
        organizationId == null
            ? WebhookEndpoint.list("order by createdAt desc")
            : WebhookEndpoint.list("organizationId = ?1 order by createdAt desc", organizationId);
    return rows.stream().map(EndpointView::of).toList();
  }

  public EndpointView get(UUID id) {
    return EndpointView.of(endpoint(id, false));
  }

  /** Changes the fields present in {@code body}: url, events (null: all), enabled, description. */
  @Transactional
  public EndpointView update(UUID id, JsonNode body) {
    WebhookEndpoint e = endpoint(id, true);
    for (var fields = body.fieldNames(); fields.hasNext(); ) {
      String f = fields.next();
      if (!Set.of("url", "events", "enabled", "description").contains(f)) {
        throw ApiException.validation(f, "is not a field of a webhook (url, events, enabled, description)");
      }
    }
    if (body.has("url")) {
      e.url = checkUrl(body.get("url").isTextual() ? body.get("url").asText() : null);
    }
    if (body.has("events")) {
      JsonNode events = body.get("events");
      if (!events.isNull() && !events.isArray()) {
        throw ApiException.validation("events", "must be an array of event types or null");
      }
      List<String> types = null;
      if (events.isArray()) {
        types = new ArrayList<>();
        for (JsonNode t : events) {
          if (!t.isTextual()) {
            throw ApiException.validation("events", "must be an array of event types or null");
          }
          types.add(t.asText());
        }
      }
      e.events = checkEvents(types);
    }
    if (body.has("enabled")) {
      if (!body.get("enabled").isBoolean()) {
        throw ApiException.validation("enabled", "must be true or false");
      }
      e.enabled = body.get("enabled").asBoolean();
      e.disabledReason = e.enabled ? null : "disabled by an operator";
    }
    if (body.has("description")) {
      JsonNode d = body.get("description");
      if (!d.isNull() && !d.isTextual()) {
        throw ApiException.validation("description", "must be a string or null");
      }
      e.description = checkDescription(d.isNull() ? null : d.asText());
    }
    e.updatedAt = Times.now();
    return EndpointView.of(e);
  }

  /** Removes the endpoint and its deliveries (pending ones are not sent). */
  @Transactional
  public void delete(UUID id) {
    WebhookEndpoint e = endpoint(id, true);
    em.createNativeQuery("DELETE FROM outbox_jobs WHERE kind = ? AND target = ?")
        .setParameter(1, KIND)
        .setParameter(2, id.toString())
        .executeUpdate();
    e.delete();
  }

  /** A new secret; the old one keeps signing (a second signature) for the overlap. */
  @Transactional
  public String rotate(UUID id) {
    WebhookEndpoint e = endpoint(id, true);
    String current = crypto.decrypt(e.secret, WebhookEndpoint.secretAad(e.id));
    String next = Signatures.newSecret();
    e.previousSecret = crypto.encrypt(current, WebhookEndpoint.previousSecretAad(e.id));
    e.previousExpiresAt = Times.now().plus(config.secretOverlap());
    e.secret = crypto.encrypt(next, WebhookEndpoint.secretAad(e.id));
    e.updatedAt = Times.now();
    return next;
  }

  /** Sends a {@code webhook.test} event to this endpoint only, now. */
  @Transactional
  public TestView test(UUID id) {
    WebhookEndpoint e = endpoint(id, false);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("webhook_id", e.id);
    data.put("organization_id", e.organizationId);
    String eventId = outbox.unannouncedEvent(TEST_EVENT, e.organizationId, data);
    UUID delivery = outbox.job(KIND, e.id.toString(), eventId, TEST_EVENT);
    return new TestView(eventId, delivery);
  }

  /** Every endpoint subscribed to a newly recorded event gets a delivery, in the event's transaction. */
  void fanOut(@Observes Outbox.Recorded event) {
    @SuppressWarnings("unchecked")
    List<Object> ids =
        em.createNativeQuery(
                "SELECT CAST(id AS text) FROM webhook_endpoints WHERE enabled AND (events IS NULL OR CAST(? AS text) = ANY (events))"
                    + " AND (organization_id IS NULL OR organization_id = CAST(? AS uuid))")
            .setParameter(1, event.type())
            .setParameter(2, event.organizationId() == null ? null : event.organizationId().toString())
            .getResultList();
    for (Object id : ids) {
      outbox.job(KIND, id.toString(), event.eventId(), event.type());
    }
  }

  public DeliveryPage deliveries(UUID id, String status, int limit, long offset) {
    endpoint(id, false);
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.validation("status", "must be one of pending, succeeded, failed");
    }
    String where = " WHERE j.kind = ? AND j.target = ?" + (status == null ? "" : " AND j.status = ?");
    try (Connection c = dataSource.getConnection()) {
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox_jobs j" + where)) {
        bind(ps, id, status);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<DeliveryView> items = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT " + DELIVERY_COLUMNS + " FROM outbox_jobs j JOIN outbox_events e ON e.id = j.event_id" + where
                  + " ORDER BY j.created_at DESC, j.id LIMIT ? OFFSET ?")) {
        int i = bind(ps, id, status);
        ps.setInt(i++, limit);
        ps.setLong(i, offset);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            items.add(delivery(rs));
          }
        }
      }
      return new DeliveryPage(items, total, limit, offset);
    } catch (SQLException e) {
      throw new DatabaseException("reading the delivery log failed", e);
    }
  }

  /** Makes a delivery due now with a fresh retry schedule (also a failed one). */
  @Transactional
  public DeliveryView retry(UUID id, UUID deliveryId) {
    WebhookEndpoint e = endpoint(id, false);
    if (!e.enabled) {
      throw ApiException.conflict("the webhook is disabled; enable it first (PATCH {\"enabled\": true})");
    }
    if (!ownDelivery(id, deliveryId) || !outbox.retryNow(deliveryId, KIND)) {
      throw ApiException.notFound("delivery");
    }
    return delivery(deliveryId);
  }

  private boolean ownDelivery(UUID endpointId, UUID deliveryId) {
    return !em.createNativeQuery("SELECT 1 FROM outbox_jobs WHERE id = ? AND kind = ? AND target = ?")
        .setParameter(1, deliveryId)
        .setParameter(2, KIND)
        .setParameter(3, endpointId.toString())
        .getResultList()
        .isEmpty();
  }

  private static final String DELIVERY_COLUMNS =
      "j.id, j.event_id, e.type, j.status, j.attempts, j.last_status_code, j.last_error, j.next_attempt_at, j.created_at, j.ended_at";

  private DeliveryView delivery(UUID deliveryId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + DELIVERY_COLUMNS + " FROM outbox_jobs j JOIN outbox_events e ON e.id = j.event_id WHERE j.id = ?")) {
      ps.setObject(1, deliveryId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return delivery(rs);
      }
    } catch (SQLException e) {
      throw new DatabaseException("reading the delivery failed", e);
    }
  }

  private static DeliveryView delivery(ResultSet rs) throws SQLException {
    String status = rs.getString(4);
    Integer code = rs.getObject(6) == null ? null : rs.getInt(6);
    return new DeliveryView(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        status,
        rs.getInt(5),
        code,
        rs.getString(7),
        "pending".equals(status) ? time(rs.getTimestamp(8)) : null,
        time(rs.getTimestamp(9)),
        "succeeded".equals(status) ? time(rs.getTimestamp(10)) : null);
  }

  private static String time(Timestamp t) {
    return t == null ? null : Times.format(t.toInstant());
  }

  private static int bind(PreparedStatement ps, UUID id, String status) throws SQLException {
    ps.setString(1, KIND);
    ps.setString(2, id.toString());
    if (status == null) {
      return 3;
    }
    ps.setString(3, status);
    return 4;
  }

  private WebhookEndpoint endpoint(UUID id, boolean lock) {
    WebhookEndpoint e =
        lock ? em.find(WebhookEndpoint.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE) : em.find(WebhookEndpoint.class, id);
    if (e == null) {
      throw ApiException.notFound("webhook");
    }
    return e;
  }

  /** Absolute https (http when allowed) with a host; where it points is checked when connecting. */
  String checkUrl(String url) {
    if (url == null) {
      throw ApiException.validation("url", "is required");
    }
    if (url.length() > MAX_URL) {
      throw ApiException.validation("url", "at most " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw ApiException.validation("url", "must be an absolute https URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean schemeOk = scheme.equals("https") || (scheme.equals("http") && config.allowHttp());
    if (!uri.isAbsolute() || uri.getHost() == null || !schemeOk) {
      throw ApiException.validation(
          "url", config.allowHttp() ? "must be an absolute http(s) URL" : "must be an absolute https URL (plain http needs PLUGBOARD_WEBHOOKS_ALLOW_HTTP)");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.validation("url", "must not carry user info");
    }
    return url;
  }

  static String[] checkEvents(List<String> events) {
    if (events == null) {
      return null;
    }
    Set<String> types = new LinkedHashSet<>();
    for (String t : events) {
      if (t == null || !EVENT_TYPES.contains(t)) {
        throw ApiException.validation("events", "unknown event type " + t + "; known: " + String.join(", ", new java.util.TreeSet<>(EVENT_TYPES)));
      }
      types.add(t);
    }
    return types.toArray(String[]::new);
  }

  private static String checkDescription(String d) {
    if (d != null && d.length() > 500) {
      throw ApiException.validation("description", "at most 500 characters");
    }
    return d;
  }

  @Override
  public List<Column> sealedColumns() {
    return List.of(
        new Column("webhook_endpoints", "id", "secret", "true", WebhookEndpoint::secretAad),
        new Column("webhook_endpoints", "id", "previous_secret", "previous_secret is not null", WebhookEndpoint::previousSecretAad));
  }
}
