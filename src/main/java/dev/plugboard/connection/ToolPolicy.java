package dev.plugboard.connection;

import dev.plugboard.api.ApiException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

/**
 * A connection's {@code allowed_tools}: {@code null} allows every tool, a list allows exactly the
 * tools it names (so {@code []} allows none). Names compare exactly, as MCP tool names are
 * case-sensitive. The one place that decides whether a tool may be listed or called.
 */
public final class ToolPolicy {

  static final int MAX_TOOLS = 500;
  /** MCP tool names are 1–128 characters (specification 2025-11-25). */
  static final int MAX_NAME = 128;

  private ToolPolicy() {}

  /** Whether {@code tool} may be listed and called under {@code allowedTools}. */
  public static boolean allows(List<String> allowedTools, String tool) {
    return allowedTools == null || (tool != null && allowedTools.contains(tool));
  }

  /** The tools of {@code tools} that {@code allowedTools} allows, in their order. */
  public static <T> List<T> filter(List<String> allowedTools, Collection<T> tools, Function<T, String> name) {
    if (allowedTools == null) {
      return List.copyOf(tools);
    }
    List<T> kept = new ArrayList<>();
    for (T t : tools) {
      if (allows(allowedTools, name.apply(t))) {
        kept.add(t);
      }
    }
    return kept;
  }

  /**
   * A request's list, checked: {@code null} stays null (every tool); otherwise at most
   * {@value #MAX_TOOLS} non-empty names of at most {@value #MAX_NAME} characters without control
   * characters. Duplicates are dropped, keeping the first occurrence's position.
   */
  static String[] validate(List<String> requested) {
    if (requested == null) {
      return null;
    }
    if (requested.size() > MAX_TOOLS) {
      throw ApiException.validation("allowed_tools", "at most " + MAX_TOOLS + " tool names");
    }
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (String name : requested) {
      if (name == null || name.isEmpty()) {
        throw ApiException.validation("allowed_tools", "must be an array of non-empty strings");
      }
      if (name.length() > MAX_NAME) {
        throw ApiException.validation("allowed_tools", "tool names are at most " + MAX_NAME + " characters");
      }
      if (name.chars().anyMatch(Character::isISOControl)) {
        throw ApiException.validation("allowed_tools", "tool names must not contain control characters");
      }
      names.add(name);
    }
    return names.toArray(String[]::new);
  }
}
