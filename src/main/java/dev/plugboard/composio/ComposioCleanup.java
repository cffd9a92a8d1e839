package dev.plugboard.composio;

import dev.plugboard.api.ApiException;
import dev.plugboard.connection.ConnectionEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Deleting a Composio connection deletes its connected account at Composio, best effort. */
@ApplicationScoped
public class ComposioCleanup {

  private static final Logger LOG = Logger.getLogger(ComposioCleanup.class);

  @Inject ComposioClient composio;

  void onDeleted(@ObservesAsync ConnectionEvents.Deleted deleted) {
    if (!"composio".equals(deleted.provider()) || deleted.integrationId() == null || !composio.configured()) {
      return;
    }
    try {
      composio.deleteConnectedAccount(deleted.integrationId());
      LOG.infof("deleted Composio account %s of connection %s", deleted.integrationId(), deleted.connectionId());
    } catch (ApiException e) {
      if (e.status() == 404) {
        LOG.infof("Composio account %s of connection %s was already gone", deleted.integrationId(), deleted.connectionId());
      } else {
        LOG.warnf(
            "could not delete Composio account %s of connection %s: %s %s",
            deleted.integrationId(), deleted.connectionId(), e.code(), e.getMessage());
      }
    }
  }
}
