package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/** A tool as the server lists it; {@code description} and {@code inputSchema} are passed through unchanged. */
public record McpTool(String name, JsonNode description, JsonNode inputSchema) {}
