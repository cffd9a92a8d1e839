package dev.plugboard.composio;

/**
 * Names for the MCP servers Plugboard creates at Composio, which accepts 4–30 characters of
 * letters, digits, spaces and hyphens. The auth config id is kept (its tail) so names stay distinct
 * per auth config.
 */
final class McpServerName {

  static final int MIN = 4;
  static final int MAX = 30;
  private static final int ID_TAIL = 12;

  private McpServerName() {}

  static String of(String toolkit, String authConfigId) {
    String id = clean(authConfigId == null ? "" : authConfigId);
    if (id.length() > ID_TAIL) {
      id = id.substring(id.length() - ID_TAIL).trim();
    }
    String kit = clean(toolkit == null ? "" : toolkit);
    int room = Math.max(0, MAX - id.length() - (id.isEmpty() ? 0 : 1));
    if (kit.length() > room) {
      kit = kit.substring(0, room).trim();
    }
    String name = (kit + " " + id).trim();
    if (name.length() < MIN) {
      name = (name + " mcp server").trim();
    }
    return name;
  }

  private static String clean(String s) {
    return s.replaceAll("[^A-Za-z0-9 -]", "-").replaceAll("\\s+", " ").replaceAll("-{2,}", "-").trim();
  }
}
