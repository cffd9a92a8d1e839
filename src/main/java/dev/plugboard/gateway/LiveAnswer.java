package dev.plugboard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plugboard.mcp.JsonRpc;
import dev.plugboard.mcp.LiveCall;
import dev.plugboard.mcp.McpException;
import dev.plugboard.mcp.Relay;
import dev.plugboard.mcp.ToolListing.Failed;
import dev.plugboard.mcp.ToolListing.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * An answer to the agent written as an event stream while the upstream is still answering: the
 * upstream's notifications and the server requests the agent may answer go out as they arrive (the
 * agent POSTs its answers, which are forwarded to the same upstream session), and the response
 * last, after {@link Finish} has made it final (the audit record, a filter). A failure on the way
 * becomes a JSON-RPC error event for the request, so the stream never ends without an answer.
 */
final class LiveAnswer {

  /** Makes the upstream's response final before it goes out; {@code failure} is set (and {@code response} null) when none came. Runs once. */
  @FunctionalInterface
  interface Finish {
    JsonNode apply(JsonNode response, Failed failure);
  }

  private static final Logger LOG = Logger.getLogger(LiveAnswer.class);

  private final LiveCall call;
  private final JsonNode id;
  private final List<JsonNode> first;
  private final UnaryOperator<JsonNode> relayed;
  private final Finish finish;

  /**
   * {@code first}: messages of Plugboard's own that go before the upstream's; {@code relayed}: a server
   * request as the agent sees it, or null when the agent may not be asked (Plugboard refuses it).
   */
  LiveAnswer(LiveCall call, JsonNode id, List<JsonNode> first, UnaryOperator<JsonNode> relayed, Finish finish) {
    this.call = call;
    this.id = id;
    this.first = first;
    this.relayed = relayed;
    this.finish = finish;
  }

  /** Writes the whole answer (on the worker thread that served the request), flushing each event. */
  void writeTo(OutputStream out) throws IOException {
    JsonNode response;
    try {
      first.forEach(m -> write(out, m));
      JsonNode answered =
          call.drain(
              new Relay() {
                @Override
                public void notification(JsonNode notification) {
                  write(out, notification);
                }

                @Override
                public boolean request(JsonNode request) {
                  JsonNode asked = relayed.apply(request);
                  if (asked == null) {
                    return false;
                  }
                  write(out, asked);
                  return true;
                }
              });
      response = finish.apply(answered, null);
    } catch (McpException e) {
      response = finish.apply(null, e.failed());
    } catch (UncheckedIOException e) { // the agent went away; drain closed the upstream stream
      finish.apply(null, new Failed(Reason.PROTOCOL, "the agent closed the stream before the answer", 0, null));
      throw e.getCause();
    } catch (RuntimeException e) { // e.g. the audit write failed: the headers are out, so the answer is an error event
      LOG.warnf("gateway: a streamed answer could not be completed: %s", e.getClass().getName());
      response = JsonRpc.error(id, -32603, "Internal error: the answer could not be completed; retry");
    } finally {
      call.close();
    }
    out.write(GatewayService.sse(List.of(response)));
    out.flush();
  }

  private static void write(OutputStream out, JsonNode message) {
    try {
      out.write(GatewayService.sse(List.of(message)));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
