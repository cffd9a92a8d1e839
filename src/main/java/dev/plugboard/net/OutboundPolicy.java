package dev.plugboard.net;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Vets a user-supplied URL: scheme, then the host resolved ONCE; the caller connects to the vetted
 * address (never resolving again), so DNS rebinding cannot slip a private address in afterwards.
 */
@ApplicationScoped
public class OutboundPolicy {

  private final OutboundConfig config;

  public OutboundPolicy(OutboundConfig config) {
    this.config = config;
  }

  /** Where to connect for a vetted URL. {@code host} goes into Host and SNI; {@code address} is dialled. */
  public record Target(URI uri, String host, int port, boolean tls, InetAddress address) {
    public String pathAndQuery() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    public String origin() {
      return (tls ? "https" : "http") + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }
  }

  public OutboundConfig config() {
    return config;
  }

  /**
   * Checks {@code url} and resolves its host once. Throws {@link UrlNotAllowedException} when the
   * policy refuses it, {@link OutboundFailure} (UNREACHABLE) when the name does not resolve.
   */
  public Target vet(String url) throws OutboundFailure {
    return vet(url, config.allowHttp(), config.allowPrivateNetworks());
  }

  /** {@link #vet(String)} under other switches (webhook URLs have their own: DESIGN §14). */
  public Target vet(String url, boolean allowHttp, boolean allowPrivateNetworks) throws OutboundFailure {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw new UrlNotAllowedException("not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new UrlNotAllowedException("only http and https URLs are allowed");
    }
    if (scheme.equals("http") && !allowHttp) {
      throw new UrlNotAllowedException("plain http is not allowed; use https");
    }
    String authority = uri.getRawAuthority();
    if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
      throw new UrlNotAllowedException("URLs with user info are not allowed");
    }
    String host = uri.getHost();
    int port = uri.getPort();
    if (host == null && authority != null) {
      // java.net.URI leaves numeric spellings such as 2130706433 or 0x7f.1 without a host; libc
      // and browsers read them as IPv4, so they are decoded and vetted rather than waved through.
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      if (AddressRules.legacyIpv4(host).isEmpty()) {
        throw new UrlNotAllowedException("the URL has no valid host");
      }
      try {
        port = colon < 0 ? -1 : Integer.parseInt(authority.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new UrlNotAllowedException("the URL has no valid port");
      }
    }
    if (host == null || host.isEmpty()) {
      throw new UrlNotAllowedException("the URL has no host");
    }
    boolean tls = scheme.equals("https");
    port = port == -1 ? (tls ? 443 : 80) : port;
    if (port < 1 || port > 65535) {
      throw new UrlNotAllowedException("the URL has no valid port");
    }
    InetAddress address = resolve(host);
    if (!allowPrivateNetworks && AddressRules.isNonPublic(address)) {
      throw new UrlNotAllowedException("the URL points to a private, loopback or reserved address");
    }
    String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new Target(uri, bareHost, port, tls, address);
  }

  private static InetAddress resolve(String host) throws OutboundFailure {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    Optional<InetAddress> legacy = AddressRules.legacyIpv4(bare);
    if (legacy.isPresent()) {
      return legacy.get();
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(IDN.toASCII(bare));
      // A name with any non-public address is refused as a whole (checked by the caller on the
      // first one; here we pick a non-public one if there is one so the check sees it).
      for (InetAddress a : all) {
        if (AddressRules.isNonPublic(a)) {
          return a;
        }
      }
      return all[0];
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new OutboundFailure(OutboundFailure.Kind.UNREACHABLE, "the host name " + host + " does not resolve");
    }
  }
}
