package dev.plugboard.oauth;

import static org.junit.jupiter.api.Assertions.*;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documented environment variables really reach the providers map: SmallRye maps
 * {@code PLUGBOARD_OAUTH_PROVIDERS_<SLUG>_...} onto the mapping for built-in and new slugs alike.
 */
class OAuthConfigEnvTest {

  private static OAuthConfig config(Map<String, String> env) throws Exception {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withSources(new PropertiesConfigSource(OAuthConfigEnvTest.class.getResource("/application.properties"), 250))
            .withSources(new EnvConfigSource(env, 300))
            .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
            .withMapping(OAuthConfig.class)
            .build();
    return config.getConfigMapping(OAuthConfig.class);
  }

  @Test
  void builtInProvidersTakeClientsAndEndpointOverridesFromTheEnvironment() throws Exception {
    OAuthConfig c =
        config(
            Map.of(
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_CLIENT_ID", "env-client",
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_CLIENT_SECRET", "env-secret",
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_TOKEN_ENDPOINT", "https://token.example.test/t",
                "PLUGBOARD_OAUTH_PROVIDERS_GOOGLESHEETS_SCOPES", "openid email",
                "PLUGBOARD_OAUTH_ALLOWED_RETURN_HOSTS", "app.example.test,admin.example.test"));
    var gmail = new NativeProviders(c).find("gmail").orElseThrow();
    assertEquals("env-client", gmail.clientId());
    assertEquals("env-secret", gmail.clientSecret());
    assertEquals("https://token.example.test/t", gmail.tokenEndpoint());
    assertEquals("https://accounts.google.com/o/oauth2/v2/auth", gmail.authorizationEndpoint());
    assertEquals(List.of("openid", "email", "https://www.googleapis.com/auth/gmail.modify"), gmail.scopes());
    assertEquals(Map.of("access_type", "offline", "prompt", "consent"), gmail.extraParams());
    assertEquals(List.of("openid email"), c.providers().get("googlesheets").scopes().orElseThrow());
    assertEquals(List.of("app.example.test", "admin.example.test"), c.allowedReturnHosts().orElseThrow());
    assertTrue(new NativeProviders(c).find("googlesheets").isEmpty(), "no client id: not configured");
    var outlook = c.providers().get("outlook");
    assertTrue(outlook.scopes().orElseThrow().get(0).contains("offline_access"));
  }

  @Test
  void theTokenAuthMethodComesFromTheEnvironmentAndAnUnknownOneLeavesTheProviderUnconfigured() throws Exception {
    OAuthConfig c =
        config(
            Map.of(
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_CLIENT_ID", "g",
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_CLIENT_SECRET", "s",
                "PLUGBOARD_OAUTH_PROVIDERS_GMAIL_TOKEN_AUTH_METHOD", "client_secret_basic",
                "PLUGBOARD_OAUTH_PROVIDERS_GOOGLE_CLIENT_ID", "g",
                "PLUGBOARD_OAUTH_PROVIDERS_GOOGLE_CLIENT_SECRET", "s",
                "PLUGBOARD_OAUTH_PROVIDERS_GOOGLE_TOKEN_AUTH_METHOD", "private_key_jwt",
                "PLUGBOARD_OAUTH_PROVIDERS_GOOGLESHEETS_CLIENT_ID", "public-client",
                "PLUGBOARD_OAUTH_PROVIDERS_OUTLOOK_CLIENT_ID", "o",
                "PLUGBOARD_OAUTH_PROVIDERS_OUTLOOK_CLIENT_SECRET", "s"));
    NativeProviders providers = new NativeProviders(c);
    assertEquals("client_secret_basic", providers.find("gmail").orElseThrow().tokenAuthMethod());
    assertTrue(providers.find("google").isEmpty(), "an unsupported method is refused, not silently replaced");
    assertEquals("none", providers.find("googlesheets").orElseThrow().tokenAuthMethod(), "no secret: only the client id is sent");
    assertEquals("client_secret_post", providers.find("outlook").orElseThrow().tokenAuthMethod());
  }

  @Test
  void aNewProviderCanBeDefinedEntirelyByEnvironment() throws Exception {
    OAuthConfig c =
        config(
            Map.of(
                "PLUGBOARD_OAUTH_PROVIDERS_ACME_CLIENT_ID", "acme",
                "PLUGBOARD_OAUTH_PROVIDERS_ACME_AUTHORIZATION_ENDPOINT", "https://acme.example.test/authorize",
                "PLUGBOARD_OAUTH_PROVIDERS_ACME_TOKEN_ENDPOINT", "https://acme.example.test/token",
                "PLUGBOARD_OAUTH_PROVIDERS_ACME_SCOPES", "read write"));
    var acme = new NativeProviders(c).find("acme").orElseThrow();
    assertEquals("acme", acme.clientId());
    assertEquals(List.of("read", "write"), acme.scopes());
    assertEquals("acme", acme.displayName());
  }
}
