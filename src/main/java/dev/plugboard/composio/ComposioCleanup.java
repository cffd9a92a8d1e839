package dev.plugboard.composio;

import dev.plugboard.api.ApiException;
import dev.plugboard.connection.ConnectionEvents;
import dev.plugboard.outbox.Outbox;
import dev.plugboard.outbox.OutboxHandler;
import dev.plugboard.outbox.OutboxJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Deleting a Composio connection deletes its connected account at Composio: the deleting transaction
 * puts the call on the outbox (job {@code composio.delete_account}, target = the account id), so it
 * survives a crash and is retried.
 */
@ApplicationScoped
public class ComposioCleanup implements OutboxHandler {

  private static final Logger LOG = Logger.getLogger(ComposioCleanup.class);
  static final String KIND = "composio.delete_account";

  @Inject ComposioClient composio;
  @Inject Outbox outbox;

  void onDeleted(@Observes ConnectionEvents.Deleted deleted) {
    if (!"composio".equals(deleted.provider()) || deleted.integrationId() == null || !composio.configured()) {
      return;
    }
    outbox.job(KIND, deleted.integrationId(), null, deleted.connectionId().toString());
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Outcome attempt(OutboxJob job) {
    String account = job.target();
    if (!composio.configured()) {
      return Outcome.retry(null, "Composio is not configured", null);
    }
    try {
      composio.deleteConnectedAccount(account);
      LOG.infof("deleted Composio account %s of connection %s", account, job.payload());
      return Outcome.done(null);
    } catch (ApiException e) {
      if (e.status() == 404) {
        LOG.infof("Composio account %s of connection %s was already gone", account, job.payload());
        return Outcome.done(404);
      }
      String error = e.code() + ": " + e.getMessage();
      // Composio's 4xx other than 404 will not change by asking again.
      return e.status() >= 400 && e.status() < 500 && e.status() != 429 ? Outcome.giveUp(e.status(), error) : Outcome.retry(e.status(), error, null);
    }
  }
}
