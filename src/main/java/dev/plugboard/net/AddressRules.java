package dev.plugboard.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Which addresses a user-supplied URL may reach. Pure functions over address values, so every rule
 * is unit-tested without ever connecting anywhere.
 */
public final class AddressRules {

  private AddressRules() {}

  /** True when {@code address} is not a public unicast address. */
  public static boolean isNonPublic(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return isNonPublicV4(v4.getAddress());
    }
    byte[] a = address.getAddress();
    if (address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    int first = a[0] & 0xff;
    int second = a[1] & 0xff;
    if ((first & 0xfe) == 0xfc) { // fc00::/7 unique local
      return true;
    }
    if (allZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) { // ::ffff:0:0/96 mapped
      return isNonPublicV4(slice(a, 12));
    }
    if (allZero(a, 0, 12)) { // ::/96 IPv4-compatible (deprecated), ::, ::1
      return true;
    }
    if (first == 0x00 && second == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b) { // 64:ff9b::/96 NAT64
      return isNonPublicV4(slice(a, 12));
    }
    if (first == 0x20 && second == 0x02) { // 2002::/16 6to4 embeds an IPv4 address
      return isNonPublicV4(new byte[] {a[2], a[3], a[4], a[5]});
    }
    if (first == 0x20 && second == 0x01 && a[2] == 0 && a[3] == 0) { // 2001::/32 Teredo
      return true;
    }
    if (first == 0x20 && second == 0x01 && (a[2] & 0xff) == 0x0d && (a[3] & 0xff) == 0xb8) { // 2001:db8::/32 docs
      return true;
    }
    if (first == 0x01 && second == 0x00 && allZero(a, 2, 8)) { // 100::/64 discard
      return true;
    }
    return (first & 0xe0) != 0x20; // only 2000::/3 is global unicast
  }

  static boolean isNonPublicV4(byte[] a) {
    int b0 = a[0] & 0xff;
    int b1 = a[1] & 0xff;
    int b2 = a[2] & 0xff;
    return b0 == 0 // "this network"
        || b0 == 10 // private
        || b0 == 127 // loopback
        || (b0 == 100 && b1 >= 64 && b1 <= 127) // CGNAT 100.64/10
        || (b0 == 169 && b1 == 254) // link-local, cloud metadata
        || (b0 == 172 && b1 >= 16 && b1 <= 31) // private
        || (b0 == 192 && b1 == 0 && b2 == 0) // IETF protocol assignments
        || (b0 == 192 && b1 == 0 && b2 == 2) // TEST-NET-1
        || (b0 == 192 && b1 == 88 && b2 == 99) // 6to4 relay anycast
        || (b0 == 192 && b1 == 168) // private
        || (b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
        || (b0 == 198 && b1 == 51 && b2 == 100) // TEST-NET-2
        || (b0 == 203 && b1 == 0 && b2 == 113) // TEST-NET-3
        || b0 >= 224; // multicast, reserved, broadcast
  }

  /**
   * Host spellings that browsers and libc accept as IPv4 but Java does not: one to four parts, each
   * decimal, octal ({@code 0177}) or hex ({@code 0x7f}), e.g. {@code 2130706433} or {@code 127.1}.
   * Returns the address they denote, so it is vetted instead of being sent to DNS.
   */
  public static Optional<InetAddress> legacyIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return Optional.empty();
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Long v = parseNumber(parts[i]);
      if (v == null) {
        return Optional.empty();
      }
      values[i] = v;
    }
    long value = 0;
    int n = values.length;
    for (int i = 0; i < n - 1; i++) {
      if (values[i] > 255) {
        return Optional.empty();
      }
      value = (value << 8) | values[i];
    }
    int lastBits = 8 * (5 - n);
    if (values[n - 1] >= (1L << lastBits)) {
      return Optional.empty();
    }
    value = (value << lastBits) | values[n - 1];
    byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return Optional.of(InetAddress.getByAddress(host, bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static Long parseNumber(String s) {
    try {
      if (s.isEmpty()) {
        return null;
      }
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return s.length() == 2 ? 0L : Long.parseLong(s.substring(2), 16);
      }
      if (s.length() > 1 && s.startsWith("0")) {
        return Long.parseLong(s.substring(1), 8);
      }
      return Long.parseLong(s, 10);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean allZero(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] a, int from) {
    return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
  }

  static boolean isIpv6(InetAddress a) {
    return a instanceof Inet6Address;
  }
}
