package dev.plugboard.tenancy;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.ApiGate;
import dev.plugboard.api.ServiceTokens;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * The API-key mechanism: every {@link ApiKeyAuthenticated} request gets its {@link Caller}, then
 * passes the per-key rate limit and Idempotency-Key handling of {@link ApiGate}.
 */
@Provider
@ApiKeyAuthenticated
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

  @Inject CallerLookup lookup;
  @Inject CurrentCaller current;
  @Inject ApiGate gate;

  @Override
  public void filter(ContainerRequestContext request) {
    String key = ServiceTokens.bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    Caller caller = key == null ? null : lookup.find(key).orElse(null);
    if (caller == null) {
      throw ApiException.invalidToken();
    }
    current.set(caller);
    gate.admit(request, caller.apiKeyId());
  }
}
