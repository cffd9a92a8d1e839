package dev.plugboard.composio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class McpServerNameTest {

  private static void assertValid(String name) {
    assertTrue(name.matches("[A-Za-z0-9 -]{4,30}"), "invalid Composio MCP server name: '" + name + "'");
    assertEquals(name.trim(), name);
  }

  @Test
  void keepsToolkitAndAuthConfig() {
    assertEquals("slack ac-1a2B3c", McpServerName.of("slack", "ac_1a2B3c"));
  }

  @Test
  void longNamesAreCutToThirtyKeepingTheAuthConfigTail() {
    String name = McpServerName.of("google_workspace_administration_suite", "ac_0123456789abcdefXYZ");
    assertValid(name);
    assertTrue(name.endsWith("789abcdefXYZ"), name);
    assertNotEquals(name, McpServerName.of("google_workspace_administration_suite", "ac_0123456789abcdefXYW"));
  }

  @Test
  void oddCharactersAndShortInputsStillGiveAValidName() {
    for (String[] in :
        new String[][] {
          {"x", "a"}, {"", ""}, {null, null}, {"été/ü", "ac_!!"}, {"a b", "c"}, {"  ", "__"}, {"jira", "ac_with spaces  and\ttabs"}
        }) {
      assertValid(McpServerName.of(in[0], in[1]));
    }
  }
}
