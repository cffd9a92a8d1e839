package dev.plugboard.connect;

import dev.plugboard.tenancy.Caller;
import java.util.List;
import java.util.UUID;

/**
 * What the layers above ask of connect links (DESIGN §13): a short-lived, single-use page where a
 * person authorizes. The gateway uses it to answer a connection that needs a person.
 */
public interface ConnectLinks {

  /**
   * The caller's pending, unexpired {@code reconnect} link for this connection, reused, or a new one.
   * Throws {@link dev.plugboard.api.ApiException} (404 / 403) exactly as a PATCH of the connection
   * would for this caller.
   */
  ConnectLinkView reconnect(Caller caller, UUID connectionId);

  /**
   * A step-up reconnect link (reused while pending) for an MCP OAuth connection whose server asked for
   * {@code scopes}: its flow asks for the union of the scopes the connection was granted and these.
   * Errors as {@link #reconnect}, and 400 for a connection that is not MCP OAuth.
   */
  ConnectLinkView stepUp(Caller caller, UUID connectionId, List<String> scopes);

  /** A new link, exactly as {@code POST /v1/connect/links} makes one (same validation and errors). */
  ConnectLinkView create(Caller caller, ConnectLinkRequest request);
}
