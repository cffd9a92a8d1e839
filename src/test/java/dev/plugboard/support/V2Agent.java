package dev.plugboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The MCP TypeScript SDK v2 client as an agent (conformance/v2/agent.mjs), run by the node that
 * conformance/v2/run.sh chose ({@code plugboard.v2.node}): connects with a version negotiation
 * mode ({@code pin} 2026-07-28, {@code auto}, {@code legacy}), lists and calls tools, reads the
 * resource and prompt, and hands back everything it got.
 */
public final class V2Agent {

  private V2Agent() {}

  /** The agent against {@code url} in {@code mode}; {@code extra}: {@code --key K}, {@code --prefix P}, {@code --tools-only}. */
  public static JsonNode run(String url, String mode, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("plugboard.v2.node", "node"), "agent.mjs", url, mode));
    command.addAll(List.of(extra));
    return SdkAgent.exec(new File("conformance/v2"), command, "the v2 SDK client (" + mode + ") against " + url);
  }

  /** Another script of conformance/v2 with {@code args}, run by the same node; the JSON it printed. */
  public static JsonNode script(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("plugboard.v2.node", "node"), script));
    command.addAll(List.of(args));
    return SdkAgent.exec(new File("conformance/v2"), command, "the v2 SDK script " + script);
  }
}
