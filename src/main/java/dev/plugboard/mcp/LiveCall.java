package dev.plugboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.net.OutboundFailure;
import dev.plugboard.net.UrlNotAllowedException;

/**
 * A forwarded request whose server answered with an event stream, still open: {@link #drain} reads
 * it to the response, handing the server's notifications and requests on as they arrive, within the
 * deadline the forward began with. Close it when done (drain does).
 */
public final class LiveCall implements AutoCloseable {

  private final Upstream upstream;
  private final Upstream.Live live;

  LiveCall(Upstream upstream, Upstream.Live live) {
    this.upstream = upstream;
    this.live = live;
  }

  /** The HTTP status of the server's answer, for the audit trail. */
  public int httpStatus() {
    return upstream.lastStatus();
  }

  /** Reads to the server's response (verbatim, a JSON-RPC error included); every failure is a redacted {@link McpException}. */
  public JsonNode drain(Relay relay) throws McpException {
    try {
      return upstream.drain(live, relay);
    } catch (McpException f) {
      throw new McpException(upstream.redacted(f.failed()));
    } catch (OutboundFailure f) {
      throw new McpException(upstream.redacted(McpClient.failed(f)));
    } catch (UrlNotAllowedException e) {
      throw new McpException(McpClient.redirectRefused());
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    live.stream().close();
    upstream.close();
  }
}
