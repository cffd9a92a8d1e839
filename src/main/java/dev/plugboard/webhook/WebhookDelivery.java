package dev.plugboard.webhook;

import dev.plugboard.api.Times;
import dev.plugboard.credential.Crypto;
import dev.plugboard.net.GuardedHttp;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.outbox.OutboxHandler;
import dev.plugboard.outbox.OutboxJob;
import dev.plugboard.outbox.OutboxWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One delivery attempt (job kind {@code webhook}): the event's stored body, signed afresh with this
 * attempt's timestamp (and the previous secret during a rotation overlap), POSTed through the guarded
 * client under the webhook switches with no redirects followed. 2xx succeeds, 410 disables the
 * endpoint, anything else is retried ({@code Retry-After} honoured).
 */
@Startup // registers plugboard_webhook_pending at start, not at the first delivery
@ApplicationScoped
public class WebhookDelivery implements OutboxHandler {

  private final GuardedHttp http;
  private final Crypto crypto;
  private final WebhooksConfig config;
  private final MeterRegistry registry;
  private final String userAgent;

  WebhookDelivery(
      GuardedHttp http,
      Crypto crypto,
      WebhooksConfig config,
      MeterRegistry registry,
      OutboxWorker worker,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.http = http;
    this.crypto = crypto;
    this.config = config;
    this.registry = registry;
    this.userAgent = "Plugboard-Webhooks/" + version;
    Gauge.builder("plugboard.webhook.pending", worker, w -> w.pending(WebhookService.KIND))
        .description("webhook deliveries waiting for an attempt (as of the last dispatcher pass)")
        .register(registry);
  }

  @Override
  public String kind() {
    return WebhookService.KIND;
  }

  /** What an attempt needs, read in one short transaction before any network call. */
  private record Target(String url, boolean enabled, List<String> secrets, String body) {}

  @Override
  public Outcome attempt(OutboxJob job) {
    Target target = QuarkusTransaction.requiringNew().call(() -> read(job));
    if (target == null) {
      return Outcome.giveUp(null, "the webhook or its event no longer exists");
    }
    if (!target.enabled()) {
      return Outcome.giveUp(null, "the webhook is disabled");
    }
    long timestamp = Instant.now().getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", job.eventId());
    headers.put("webhook-timestamp", Long.toString(timestamp));
    headers.put("webhook-signature", Signatures.header(target.secrets(), job.eventId(), timestamp, target.body()));
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", userAgent);
    GuardedHttp.Response r;
    try {
      r = http.exchange(
          GuardedHttp.Request.post(target.url(), headers, target.body()),
          new GuardedHttp.Rules(config.allowHttp(), config.allowPrivateNetworks(), 0, config.timeout()));
    } catch (OutboundFailure e) {
      return Outcome.retry(null, e.getMessage(), null);
    } catch (dev.plugboard.net.UrlNotAllowedException e) {
      return Outcome.retry(null, "url_not_allowed: " + e.getMessage(), null);
    }
    int status = r.status();
    if (status >= 200 && status < 300) {
      return Outcome.done(status);
    }
    if (status == 410) {
      QuarkusTransaction.requiringNew().run(() -> disable(UUID.fromString(job.target())));
      return Outcome.giveUp(status, "410 Gone: the webhook is now disabled");
    }
    return Outcome.retry(status, "HTTP " + status, retryAfter(r.header("retry-after")));
  }

  @Override
  public void settled(OutboxJob job, String state) {
    registry.counter("plugboard.webhook.deliveries", "type", String.valueOf(job.payload()), "outcome", state).increment();
  }

  private Target read(OutboxJob job) {
    WebhookEndpoint e = WebhookEndpoint.findById(UUID.fromString(job.target()));
    List<?> body =
        WebhookEndpoint.getEntityManager()
            .createNativeQuery("SELECT body FROM outbox_events WHERE id = ?")
            .setParameter(1, job.eventId())
            .getResultList();
    if (e == null || body.isEmpty()) {
      return null;
    }
    List<String> secrets = new ArrayList<>();
    secrets.add(crypto.decrypt(e.secret, WebhookEndpoint.secretAad(e.id)));
    if (e.previousSecret != null && e.previousExpiresAt != null && e.previousExpiresAt.isAfter(Instant.now())) {
      secrets.add(crypto.decrypt(e.previousSecret, WebhookEndpoint.previousSecretAad(e.id)));
    }
    return new Target(e.url, e.enabled, secrets, (String) body.get(0));
  }

  private static void disable(UUID id) {
    WebhookEndpoint e = WebhookEndpoint.findById(id);
    if (e != null) {
      e.enabled = false;
      e.disabledReason = "the receiver answered 410 Gone";
      e.updatedAt = Times.now();
    }
  }

  /** {@code Retry-After}: delta-seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
  }
}
