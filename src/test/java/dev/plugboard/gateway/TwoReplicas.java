package dev.plugboard.gateway;

import dev.plugboard.gateway.ReplicaIT.Replica;
import dev.plugboard.packaging.PackagedAppResource;
import io.restassured.RestAssured;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class with two instances of the packaged app on one PostgreSQL running for its duration,
 * and the MCP Java SDK upstream of the gateway tests on http://127.0.0.1 (which the outbound policy
 * is told to allow); RestAssured's default target (the admin API of the fixtures) is replica a. For
 * the gateway's replica integration tests (failsafe, after {@code package}).
 */
abstract class TwoReplicas {

  private static final AtomicInteger STARTED = new AtomicInteger();

  static Setup replicas;
  static GatewayPeers upstream;
  static Replica a;
  static Replica b;

  @BeforeAll
  static void startReplicas() throws Exception {
    replicas = new Setup("set" + STARTED.incrementAndGet() + "-");
    upstream = replicas.upstream;
    a = replicas.a;
    b = replicas.b;
  }

  @AfterAll
  static void stopReplicas() throws Exception {
    if (replicas != null) {
      replicas.close();
    }
  }

  /** The processes and the database of one test class. */
  static final class Setup implements AutoCloseable {
    final PackagedAppResource database = new PackagedAppResource();
    final Map<String, String> config;
    final GatewayPeers upstream;
    Replica a;
    Replica b;

    Setup(String prefix) throws Exception {
      config = new HashMap<>(database.start());
      config.put("plugboard.outbound.allow-http", "true");
      config.put("plugboard.outbound.allow-private-networks", "true");
      upstream = new GatewayPeers();
      // One after the other: the first one migrates the schema.
      a = Replica.start(prefix + "a", config);
      b = Replica.start(prefix + "b", config);
      RestAssured.baseURI = "http://127.0.0.1";
      RestAssured.port = a.port();
    }

    @Override
    public void close() throws Exception {
      RestAssured.reset();
      try {
        for (Replica r : new Replica[] {a, b}) {
          if (r != null) {
            r.stop();
          }
        }
      } finally {
        try {
          upstream.close();
        } finally {
          database.stop();
        }
      }
    }
  }
}
