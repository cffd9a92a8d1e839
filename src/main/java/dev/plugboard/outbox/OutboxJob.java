package dev.plugboard.outbox;

import java.util.UUID;

/** A claimed job as its handler sees it. {@code attempt} counts from 1. Never log {@code payload}. */
public record OutboxJob(UUID id, String kind, String target, String eventId, String payload, int attempt) {

  @Override
  public String toString() {
    return "OutboxJob[" + id + ", " + kind + ", attempt " + attempt + "]";
  }
}
