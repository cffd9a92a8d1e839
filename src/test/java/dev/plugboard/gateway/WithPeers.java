package dev.plugboard.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with the gateway's upstream peers running for its duration. */
abstract class WithPeers {

  static GatewayPeers peers;

  @BeforeAll
  static void startPeers() throws Exception {
    peers = new GatewayPeers();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    peers.close();
  }
}
