package dev.plugboard.admin;

import dev.plugboard.api.ServiceTokens;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

@Provider
@AdminAuthenticated
@Priority(Priorities.AUTHENTICATION)
public class AdminFilter implements ContainerRequestFilter {

  // Looked up per request: providers are built before runtime configuration mappings exist.
  @Inject Instance<AdminConfig> config;

  @Override
  public void filter(ContainerRequestContext request) {
    ServiceTokens.check(config.get().token(), request.getHeaderString(HttpHeaders.AUTHORIZATION));
  }
}
