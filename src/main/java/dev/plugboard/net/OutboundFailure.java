package dev.plugboard.net;

/**
 * A request to a remote server did not produce a usable answer. The message is safe to show to the
 * caller: it names what failed, never a header value or a body.
 */
public class OutboundFailure extends Exception {

  public enum Kind {
    UNREACHABLE,
    TIMEOUT,
    TOO_LARGE,
    REDIRECT_REFUSED,
    TOO_MANY_REDIRECTS,
    PROTOCOL
  }

  private final Kind kind;

  public OutboundFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
