package dev.plugboard.connection;

import java.util.Map;

/**
 * Adds the credentials an upper package owns to a connection being resolved for an agent runtime
 * (a fresh OAuth bearer token, Composio's {@code x-api-key}). Implemented by {@code oauth/} and
 * {@code composio/}.
 */
public interface CredentialResolver {

  /** Adds headers for {@code connection} to {@code headers}, or does nothing if it does not apply. */
  void contribute(ConnectionView connection, Map<String, String> headers);

  /**
   * {@link #contribute} on an event loop: false, adding nothing, when that would wait on the database
   * or the network. By default contributing never waits.
   */
  default boolean contributeNow(ConnectionView connection, Map<String, String> headers) {
    contribute(connection, headers);
    return true;
  }
}
