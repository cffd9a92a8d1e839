package dev.plugboard.support;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference MCP servers conformance/run.sh started, one JSON line each (name, url, kind, the
 * tool names the official SDK client lists), from the file named by {@code plugboard.conformance}.
 */
public final class ReferenceServers {

  private ReferenceServers() {}

  public static List<JsonNode> load() throws IOException {
    List<String> lines = Files.readAllLines(Path.of(System.getProperty("plugboard.conformance")));
    assertFalse(lines.isEmpty(), "no reference servers were started");
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> servers = new ArrayList<>();
    for (String line : lines) {
      servers.add(json.readTree(line));
    }
    return servers;
  }
}
