package dev.plugboard.mcp;

import java.util.List;

/** What {@link McpClient#listTools} found out about a server: its tools, or why there are none. */
public sealed interface ToolListing {

  /** How the server was reached. */
  enum Transport {
    /** Streamable HTTP (2025-03-26 and later, with or without a session). */
    STREAMABLE_HTTP,
    /** The deprecated HTTP+SSE transport of 2024-11-05. */
    SSE
  }

  record Listed(Transport transport, String protocolVersion, List<McpTool> tools) implements ToolListing {}

  /** Why a listing failed; a person can act on {@code message}. */
  enum Reason {
    UNREACHABLE,
    TIMEOUT,
    TOO_LARGE,
    REDIRECT_REFUSED,
    /** 401: the server wants (other) credentials; see {@code wwwAuthenticate}. */
    UNAUTHORIZED,
    /** 403: the credentials are not good enough. */
    FORBIDDEN,
    /** The URL answers, but not as an MCP server. */
    NOT_MCP,
    /** The server speaks MCP badly (malformed JSON-RPC, missing fields, endless pages). */
    PROTOCOL,
    /** The server answered with an HTTP or JSON-RPC error. */
    SERVER_ERROR,
    /** The server no longer knows the session (HTTP 404 to a request carrying it). */
    SESSION_ENDED
  }

  /**
   * A failed listing. {@code httpStatus} is 0 when there was no HTTP answer; {@code wwwAuthenticate}
   * is the challenge of a 401/403 (for OAuth discovery), else null.
   */
  record Failed(Reason reason, String message, int httpStatus, String wwwAuthenticate) implements ToolListing {}
}
