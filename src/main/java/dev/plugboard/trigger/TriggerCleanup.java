package dev.plugboard.trigger;

import dev.plugboard.connection.ConnectionEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Removes the triggers bound to a connection inside the transaction that deletes it (the foreign
 * key cascades too; this keeps the rule visible and the count logged by Hibernate statistics).
 */
@ApplicationScoped
public class TriggerCleanup {

  void onDeleting(@Observes ConnectionEvents.Deleting event) {
    Trigger.delete("integrationInstanceId", event.connectionId());
  }
}
