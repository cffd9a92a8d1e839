package dev.plugboard.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.plugboard.net.OutboundPolicy;
import dev.plugboard.net.OutboundPolicyTest;
import dev.plugboard.net.UrlNotAllowedException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Webhook URLs are vetted by the one outbound policy under the webhook switches, not the
 * plugboard.outbound ones (here those allow everything): address rules as unit tests on address
 * values, no connection is attempted.
 */
class WebhookUrlPolicyTest {

  // plugboard.outbound.* allow everything: the webhook switches alone decide
  static final OutboundPolicy POLICY = new OutboundPolicy(OutboundPolicyTest.config(true, true));

  @Test
  void privateLoopbackAndMetadataAddressesAreRefusedUnlessAllowed() throws Exception {
    for (String url :
        new String[] {"https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest", "https://[::1]/hook", "https://[::ffff:192.168.1.1]/x", "https://100.64.0.1/x", "https://2130706433/x"}) {
      assertThrows(UrlNotAllowedException.class, () -> POLICY.vet(url, false, false), url);
    }
    assertEquals(InetAddress.getByName("127.0.0.1"), POLICY.vet("https://127.0.0.1/hook", false, true).address());
  }

  @Test
  void plainHttpNeedsItsSwitch() throws Exception {
    assertThrows(UrlNotAllowedException.class, () -> POLICY.vet("http://8.8.8.8/hook", false, false));
    assertEquals(InetAddress.getByName("8.8.8.8"), POLICY.vet("http://8.8.8.8/hook", true, false).address());
    assertEquals(InetAddress.getByName("8.8.8.8"), POLICY.vet("https://8.8.8.8/hook", false, false).address());
  }
}
