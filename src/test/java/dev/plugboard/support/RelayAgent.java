package dev.plugboard.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The MCP TypeScript SDK v1 client as an agent that answers the server's sampling and elicitation
 * requests (conformance/v2/relay-agent.mjs), run by the node conformance/v2/suite.sh chose: calls the
 * suite fixture's tools that ask the agent something during the call and hands back what it got.
 */
public final class RelayAgent {

  private RelayAgent() {}

  /** The agent against {@code url}; {@code extra}: {@code --key K}, {@code --prefix P}. */
  public static JsonNode run(String url, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("plugboard.v2.node", "node"), "relay-agent.mjs", url));
    command.addAll(List.of(extra));
    return SdkAgent.exec(new File("conformance/v2"), command, "the relay agent against " + url);
  }
}
