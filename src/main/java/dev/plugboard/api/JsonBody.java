package dev.plugboard.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;

/**
 * The one rule for JSON request bodies that are not there: an empty body is not a JSON document and
 * a top-level {@code null} is a JSON value of the wrong type, so both are {@code invalid_request}
 * (the reader hands either to the resource as {@code null}), before any field is validated. Applies
 * to the resources marked {@link JsonBodies}.
 */
@Provider
@JsonBodies
public class JsonBody implements ReaderInterceptor {

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    Object value = context.proceed();
    if (value == null && isJson(context.getMediaType())) {
      throw ApiException.invalidRequest("the request body must be a JSON object (it was empty or null)");
    }
    return value;
  }

  private static boolean isJson(MediaType type) {
    return type != null && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
  }
}
