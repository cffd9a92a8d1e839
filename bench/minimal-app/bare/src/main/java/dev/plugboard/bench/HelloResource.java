package dev.plugboard.bench;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.Map;

@Path("/hello")
public class HelloResource {
  @GET
  public Map<String, String> hello() {
    return Map.of("hello", "world");
  }
}
