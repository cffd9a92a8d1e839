package dev.plugboard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policy with production settings. Only literals and "localhost" are used: no DNS, no connection. */
public class OutboundPolicyTest {

  public static OutboundConfig config(boolean allowHttp, boolean allowPrivate) {
    return new OutboundConfig() {
      public boolean allowHttp() {
        return allowHttp;
      }

      public boolean allowPrivateNetworks() {
        return allowPrivate;
      }

      public Duration connectTimeout() {
        return Duration.ofSeconds(5);
      }

      public Duration totalTimeout() {
        return Duration.ofSeconds(15);
      }

      public int maxResponseBytes() {
        return 4 * 1024 * 1024;
      }

      public int maxRedirects() {
        return 3;
      }

      public int maxConnectionsPerHost() {
        return 256;
      }

      public Duration idleTimeout() {
        return Duration.ofSeconds(4);
      }
    };
  }

  private final OutboundPolicy prod = new OutboundPolicy(config(false, false));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://127.0.0.1/mcp", "https://localhost:8443/mcp", "https://[::1]/mcp", "https://[::ffff:127.0.0.1]/mcp",
        "https://2130706433/mcp", "https://0x7f.1/mcp", "https://0177.0.0.1/mcp", "https://127.1/mcp",
        "https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://10.0.0.5/", "https://100.64.1.1/",
        "https://[fd00::1]/", "https://0.0.0.0/", "https://224.0.0.1/"
      })
  void refusesNonPublicTargets(String url) {
    UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class, () -> prod.vet(url));
    assertEquals("url_not_allowed", e.code());
    assertEquals(400, e.status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://8.8.8.8/mcp", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "https://user:pw@8.8.8.8/", "https:///nohost", "not a url"})
  void refusesSchemesUserInfoAndGarbage(String url) {
    assertThrows(UrlNotAllowedException.class, () -> prod.vet(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://2130706433/", "https://0x7f.1:8443/", "https://127.1/", "https://0251.0376.0251.0376/"})
  void numericSpellingsAreDecodedAndRefusedAsNonPublic(String url) {
    UrlNotAllowedException e = assertThrows(UrlNotAllowedException.class, () -> prod.vet(url));
    assertEquals("the URL points to a private, loopback or reserved address", e.getMessage());
  }

  @Test
  void vetsAPublicLiteralWithoutConnecting() throws Exception {
    OutboundPolicy.Target t = prod.vet("https://8.8.8.8/mcp?x=1");
    assertEquals("8.8.8.8", t.address().getHostAddress());
    assertEquals(443, t.port());
    assertEquals("/mcp?x=1", t.pathAndQuery());
  }

  @Test
  void devSettingsAllowLoopbackOverHttp() throws Exception {
    OutboundPolicy dev = new OutboundPolicy(config(true, true));
    assertEquals("127.0.0.1", dev.vet("http://127.0.0.1:9/mcp").address().getHostAddress());
  }
}
