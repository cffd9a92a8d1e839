package dev.plugboard.oauth;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Step-up authorization (MCP authorization spec, "Step-Up Authorization Flow"): a server that refuses
 * a request with 403 and {@code Bearer error="insufficient_scope", scope="..."} asks for a token with
 * more scope. The new authorization asks for the union of the scopes already granted and the
 * challenge's (so what the token could do before is kept).
 */
public final class StepUp {

  private StepUp() {}

  /**
   * The scopes a 403 challenge asks for; empty when the answer is not an {@code insufficient_scope}
   * challenge naming at least one scope (nothing a new authorization could be asked for).
   */
  public static Optional<List<String>> scopesAsked(int httpStatus, String wwwAuthenticate) {
    if (httpStatus != 403 || wwwAuthenticate == null) {
      return Optional.empty();
    }
    Discovery.Challenge c = Discovery.parseBearer(wwwAuthenticate);
    if (c == null || !"insufficient_scope".equals(c.error()) || c.scopes().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(c.scopes());
  }

  /**
   * Whether asking again could help: some scope the server asks for is not granted yet. When all are,
   * the person already consented to them and the server still refuses, so a new link would only loop.
   */
  public static boolean wouldWiden(Collection<String> granted, Collection<String> asked) {
    return !(granted == null ? List.<String>of() : granted).containsAll(asked);
  }

  /** The scopes to ask for: those granted, then the new ones, each once, in order. */
  public static List<String> union(Collection<String> granted, Collection<String> asked) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    if (granted != null) {
      all.addAll(granted);
    }
    all.addAll(asked);
    return List.copyOf(all);
  }
}
