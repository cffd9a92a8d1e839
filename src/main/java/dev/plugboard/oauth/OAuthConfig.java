package dev.plugboard.oauth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code plugboard.oauth.*}: native providers, return-URL rules and token lifecycle. The built-in
 * providers ({@code google, gmail, googlesheets, outlook}) have their endpoints and scopes declared in
 * application.properties, which also makes {@code PLUGBOARD_OAUTH_PROVIDERS_<SLUG>_CLIENT_ID} and
 * friends resolvable for them.
 */
@ConfigMapping(prefix = "plugboard.oauth")
public interface OAuthConfig {

  /** Native providers by slug. A provider without a client id is not configured. */
  Map<String, Provider> providers();

  /** Hosts an absolute {@code return_url} may point at (env PLUGBOARD_OAUTH_ALLOWED_RETURN_HOSTS). */
  @WithName("allowed-return-hosts")
  Optional<List<String>> allowedReturnHosts();

  /** Refresh an access token this long before it expires. */
  @WithDefault("5m")
  Duration refreshMargin();

  /** How long a started flow may wait for its callback. */
  @WithDefault("10m")
  Duration flowTtl();

  /** Shown by authorization servers on consent screens (DCR and the client metadata document). */
  @WithDefault("Plugboard")
  String clientName();

  /** Idle connections per maintenance run whose tokens are refreshed ahead of use. */
  @WithDefault("100")
  int idleRefreshBatch();

  interface Provider {
    Optional<String> clientId();

    Optional<String> clientSecret();

    /** Connection name when the start request gives none. */
    Optional<String> displayName();

    Optional<String> authorizationEndpoint();

    Optional<String> tokenEndpoint();

    Optional<String> revocationEndpoint();

    /**
     * How the client authenticates at the token and revocation endpoints: {@code client_secret_post}
     * (default) or {@code client_secret_basic}; a provider without a secret sends only its client id.
     */
    Optional<String> tokenAuthMethod();

    /** Compared with the {@code iss} parameter of the authorization response when one is sent. */
    Optional<String> issuer();

    /** Space- or comma-separated. */
    Optional<List<String>> scopes();

    /** Extra authorization request parameters, e.g. {@code access_type=offline&prompt=consent}. */
    Optional<String> extraParams();
  }
}
