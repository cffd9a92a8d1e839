package dev.plugboard.bench;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.Map;

@Path("/items")
public class ItemResource {
  @GET
  public Map<String, Long> count() {
    return Map.of("count", Item.count());
  }
}
