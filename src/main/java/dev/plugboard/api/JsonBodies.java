package dev.plugboard.api;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the resources whose JSON request bodies {@link JsonBody} checks: every resource but the MCP
 * gateway's, which reads its bodies as bytes and answers a bad one in JSON-RPC. Bound rather than
 * global because any reader interceptor makes Quarkus REST look up the resource method's parameter
 * annotations by reflection on every request, a cost the gateway's hot path does not pay.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface JsonBodies {}
