package dev.plugboard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The address rules on address values only: nothing here connects anywhere or asks DNS. */
class AddressRulesTest {

  private static InetAddress literal(String ip) throws UnknownHostException {
    return InetAddress.getByName(ip); // a literal is parsed, never looked up
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "127.0.0.1", "127.255.255.254", "100.64.0.1",
        "100.127.255.255", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.0.0.1",
        "192.0.2.1", "192.88.99.1", "192.168.0.1", "192.168.255.255", "198.18.0.1", "198.19.255.255",
        "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"
      })
  void refusesNonPublicIpv4(String ip) throws Exception {
    assertTrue(AddressRules.isNonPublic(literal(ip)), ip);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.169.0.1",
        "169.253.1.1", "198.20.0.1", "223.255.255.255", "11.0.0.1"
      })
  void allowsPublicIpv4(String ip) throws Exception {
    assertFalse(AddressRules.isNonPublic(literal(ip)), ip);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::", "::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:7f00:1", "::127.0.0.1",
        "::10.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:101::1",
        "2002:a9fe:a9fe::", "2001::1", "2001:0:4136:e378::1", "2001:db8::1", "100::1", "4000::1", "::2"
      })
  void refusesNonPublicIpv6(String ip) throws Exception {
    assertTrue(AddressRules.isNonPublic(literal(ip)), ip);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2606:4700:4700::1111", "2001:4860:4860::8888", "2002:808:808::1", "64:ff9b::808:808", "2a00:1450:4001::200e"})
  void allowsPublicIpv6(String ip) throws Exception {
    assertFalse(AddressRules.isNonPublic(literal(ip)), ip);
  }

  @ParameterizedTest
  @CsvSource({"127,0,0,1", "10,1,2,3", "169,254,169,254", "192,168,1,1"})
  void refusesIpv4MappedBytes(int a, int b, int c, int d) throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) a;
    mapped[13] = (byte) b;
    mapped[14] = (byte) c;
    mapped[15] = (byte) d;
    assertTrue(AddressRules.isNonPublic(InetAddress.getByAddress(mapped)));
  }

  @ParameterizedTest
  @CsvSource({
    "2130706433, 127.0.0.1",
    "0x7f000001, 127.0.0.1",
    "017700000001, 127.0.0.1",
    "0177.0.0.1, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "0x7F.0.0.0x1, 127.0.0.1",
    "127.1, 127.0.0.1",
    "127.0.1, 127.0.0.1",
    "10.1, 10.0.0.1",
    "192.168.257, 192.168.1.1",
    "0251.0376.0251.0376, 169.254.169.254",
    "2852039166, 169.254.169.254",
    "0, 0.0.0.0",
    "8.8.8.8, 8.8.8.8"
  })
  void legacyIpv4SpellingsAreDecoded(String host, String expected) throws Exception {
    Optional<InetAddress> decoded = AddressRules.legacyIpv4(host);
    assertTrue(decoded.isPresent(), host);
    assertEquals(expected, decoded.get().getHostAddress());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2130706433", "0x7f.1", "0177.0.0.1", "127.1", "017700000001", "2852039166"})
  void legacyLoopbackAndMetadataSpellingsAreRefused(String host) {
    assertTrue(AddressRules.isNonPublic(AddressRules.legacyIpv4(host).orElseThrow()), host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "256.1.1.1", "1.2.3.4.5", "08.1.1.1", "1..1", "0x7g.1", "mcp.127.0.0.1.nip.io", "4294967296", ""})
  void namesAndInvalidNumbersAreNotIpv4(String host) {
    assertTrue(AddressRules.legacyIpv4(host).isEmpty(), host);
  }
}
