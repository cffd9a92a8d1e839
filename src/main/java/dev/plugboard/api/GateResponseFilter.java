package dev.plugboard.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * The outbound half of {@link ApiGate}: rate-limit headers on every response to an admitted caller
 * (errors included), and the response stored for its Idempotency-Key. A server-side failure (5xx)
 * releases the key instead, so a retry runs the request again.
 */
@Provider
@Priority(Priorities.HEADER_DECORATOR)
public class GateResponseFilter implements ContainerResponseFilter {

  private static final Logger LOG = Logger.getLogger(GateResponseFilter.class);

  @Inject Instance<Idempotency> idempotency;
  @Inject Instance<ObjectMapper> mapper;

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(ApiGate.DECISION) instanceof RateLimiter.Decision d) {
      MultivaluedMap<String, Object> h = response.getHeaders();
      ApiGate.rateHeaders(d, h::putSingle);
    }
    if (request.getProperty(ApiGate.CLAIM) instanceof Idempotency.Proceed claim) {
      request.removeProperty(ApiGate.CLAIM);
      try {
        if (response.getStatus() >= 500) {
          idempotency.get().release(claim);
        } else {
          String type = response.getMediaType() == null ? null : response.getMediaType().toString();
          idempotency.get().complete(claim, response.getStatus(), type, body(response.getEntity()));
        }
      } catch (RuntimeException e) {
        // The claim stays in flight until its lease ends; then a retry may take it over.
        LOG.warnf("could not record the Idempotency-Key outcome: %s", e.getClass().getName());
      }
    }
  }

  private String body(Object entity) {
    if (entity == null) {
      return null;
    }
    if (entity instanceof String s) {
      return s;
    }
    if (entity instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    try {
      return mapper.get().writeValueAsString(entity);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response entity is not serialisable: " + entity.getClass().getName());
    }
  }
}
