package dev.plugboard.mcp;

import dev.plugboard.net.GuardedHttp.Stream;
import dev.plugboard.net.OutboundFailure;

/** Server-Sent Events read from a guarded stream (the WHATWG event-stream format). */
final class SseEvents {

  record Event(String id, String type, String data) {}

  /** Where the lines come from. */
  @FunctionalInterface
  interface Lines {
    /** The next line without its terminator, or null at the end. */
    String readLine() throws OutboundFailure;
  }

  private final Lines stream;
  private String lastEventId;
  private Event pushedBack;

  SseEvents(Stream stream) {
    this(stream::readLine);
  }

  SseEvents(Lines lines) {
    this.stream = lines;
  }

  /** The id of the last event that carried one, for resuming with {@code Last-Event-ID}. */
  String lastEventId() {
    return lastEventId;
  }

  /** Makes {@code event} (just read) the next one {@link #next} returns. */
  void pushBack(Event event) {
    pushedBack = event;
  }

  /** The next event, or null when the stream has ended. */
  Event next() throws OutboundFailure {
    if (pushedBack != null) {
      Event e = pushedBack;
      pushedBack = null;
      return e;
    }
    StringBuilder data = null;
    String type = null;
    String id = null;
    while (true) {
      String line = stream.readLine();
      if (line == null) {
        return data == null ? null : new Event(id, type == null ? "message" : type, data.toString());
      }
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(id, type == null || type.isEmpty() ? "message" : type, data.toString());
        }
        type = null;
        continue;
      }
      if (line.charAt(0) == ':') {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        case "event" -> type = value;
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            id = value;
            lastEventId = value;
          }
        }
        default -> {
          // "retry" and unknown fields carry nothing a one-shot client needs.
        }
      }
    }
  }
}
