package dev.plugboard.oauth;

import dev.plugboard.net.OutboundFailure;
import dev.plugboard.oauth.NativeProviders.NativeProvider;
import dev.plugboard.oauth.TokenClient.Failed;
import dev.plugboard.oauth.TokenClient.Result;
import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.client.runtime.OidcClientConfig.Grant;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The native providers' token calls through {@code quarkus-oidc-client} (DESIGN §1): one {@link
 * OidcClient} per provider, made from {@code plugboard.oauth.providers.<slug>.*} on first use
 * (discovery off, the configured endpoints, its client authentication). Their endpoints are trusted
 * operator configuration; servers discovered from a user-supplied MCP URL never come here, since
 * this HTTP stack does not enforce the SSRF policy (they stay on the guarded client, {@link TokenClient}).
 */
@ApplicationScoped
class NativeTokenClient {

  private static final Logger LOG = Logger.getLogger(NativeTokenClient.class);
  /** Connect timeout of the OIDC client; the whole call is bounded by {@link #CALL_TIMEOUT}. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private final OidcClients oidcClients;
  private final NativeProviders providers;
  private final OAuthHttp http;
  private final Map<String, OidcClient> clients = new ConcurrentHashMap<>();

  NativeTokenClient(OidcClients oidcClients, NativeProviders providers, OAuthHttp http) {
    this.oidcClients = oidcClients;
    this.providers = providers;
    this.http = http;
  }

  /** Authorization code grant with PKCE (RFC 7636); the provider's own scopes were asked for at start. */
  Result exchangeCode(String slug, String code, String redirectUri, String codeVerifier) {
    return call(slug, c -> c.getTokens(Map.of("code", code, "redirect_uri", redirectUri, "code_verifier", codeVerifier)));
  }

  Result refresh(String slug, String refreshToken) {
    return call(slug, c -> c.refreshTokens(refreshToken));
  }

  boolean revocable(String slug) {
    return providers.find(slug).map(p -> p.revocationEndpoint() != null).orElse(false);
  }

  /** RFC 7009 with a {@code token_type_hint}: the server's HTTP status (200, or the refusal's). */
  int revoke(String slug, String token, String hint) throws OutboundFailure {
    OidcClient c = client(slug).orElseThrow(() -> new IllegalStateException("native provider " + slug + " is not configured"));
    try {
      c.revokeAccessToken(token, Map.of("token_type_hint", hint)).await().atMost(CALL_TIMEOUT);
      return 200; // RefusedAnswers turns any other answer into Refused
    } catch (Refused r) {
      return r.status;
    } catch (io.smallrye.mutiny.TimeoutException e) {
      throw new OutboundFailure(OutboundFailure.Kind.TIMEOUT, "revocation endpoint: no answer within " + CALL_TIMEOUT.toSeconds() + " s");
    } catch (RuntimeException e) { // never the message: it may hold an answer body
      throw new OutboundFailure(OutboundFailure.Kind.UNREACHABLE, "revocation endpoint: " + e.getClass().getSimpleName());
    }
  }

  private Result call(String slug, Function<OidcClient, Uni<Tokens>> grant) {
    try {
      Optional<OidcClient> client = client(slug);
      if (client.isEmpty()) {
        return new Result(null, new Failed(null, "native provider " + slug + " is not configured"));
      }
      Tokens t = grant.apply(client.get()).await().atMost(CALL_TIMEOUT);
      Long expiresAt = t.getAccessTokenExpiresAt();
      return TokenClient.granted(
          t.getAccessToken(),
          t.getRefreshToken(),
          t.get("token_type"),
          expiresAt == null ? null : Instant.ofEpochSecond(expiresAt),
          t.get("scope"));
    } catch (Refused r) {
      return TokenClient.refused(r.status, http.parseObject(r.body));
    } catch (io.smallrye.mutiny.TimeoutException e) {
      return new Result(null, new Failed(null, "token endpoint: no answer within " + CALL_TIMEOUT.toSeconds() + " s"));
    } catch (RuntimeException e) {
      // Never the message: the OIDC client puts answer bodies into some of its exceptions.
      boolean unreachable = e instanceof OidcClientException && "OIDC Server is not available".equals(e.getMessage());
      return new Result(null, new Failed(null, "token endpoint: " + (unreachable ? "not reachable" : e.getClass().getSimpleName())));
    }
  }

  /** The provider's client, made once from its configuration; empty when it is not configured. */
  private Optional<OidcClient> client(String slug) {
    OidcClient existing = clients.get(slug);
    if (existing != null) {
      return Optional.of(existing);
    }
    return providers.find(slug).map(p -> clients.computeIfAbsent(slug, s -> create(p)));
  }

  private OidcClient create(NativeProvider p) {
    var b =
        OidcClientConfig.builder()
            .id("plugboard-native-" + p.slug())
            .clientId(p.clientId())
            .tokenPath(p.tokenEndpoint())
            .discoveryEnabled(false)
            // A token endpoint answers; it does not redirect (and a followed POST would resend the secret).
            .followRedirects(false)
            .connectionTimeout(CONNECT_TIMEOUT)
            .grant(Grant.Type.CODE);
    if (p.revocationEndpoint() != null) {
      b.revokePath(p.revocationEndpoint());
    }
    if (p.clientSecret() != null) {
      b.credentials().clientSecret(p.clientSecret(), "client_secret_basic".equals(p.tokenAuthMethod()) ? Method.BASIC : Method.POST).end();
    }
    OidcClient c = oidcClients.newClient(b.build()).await().atMost(CALL_TIMEOUT);
    LOG.infof("OIDC client for native provider %s created (%s)", p.slug(), p.tokenAuthMethod());
    return c;
  }

  /** Closes the providers' clients with the application. */
  @jakarta.annotation.PreDestroy
  void close() {
    for (OidcClient c : clients.values()) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        LOG.debugf("closing an OIDC client: %s", e.getClass().getSimpleName());
      }
    }
  }

  /** A token or revocation endpoint's answer other than 200, with its body (see {@link RefusedAnswers}). */
  static final class Refused extends RuntimeException {
    final int status;
    final byte[] body;

    Refused(int status, byte[] body) {
      super("HTTP " + status, null, false, false);
      this.status = status;
      this.body = body;
    }
  }

  /**
   * Turns every answer other than 200 from a token or revocation endpoint into a {@link Refused}: the
   * OIDC client reports a failed grant by its body alone (no status, so a 5xx could not be told from
   * a 4xx {@code invalid_grant}) and counts any revocation answer but 503 as done. Plugboard's only
   * OIDC clients are the native providers', so this filter applies to all of them.
   */
  @ApplicationScoped
  @Unremovable // looked up by the OIDC client, never injected
  @OidcEndpoint({OidcEndpoint.Type.TOKEN, OidcEndpoint.Type.TOKEN_REVOCATION})
  static class RefusedAnswers implements OidcResponseFilter {
    @Override
    public Uni<Void> filter(OidcResponseFilterContext rc) {
      if (rc.statusCode() == 200) {
        return Uni.createFrom().voidItem();
      }
      return Uni.createFrom().failure(new Refused(rc.statusCode(), rc.responseBody() == null ? new byte[0] : rc.responseBody().getBytes()));
    }
  }
}
