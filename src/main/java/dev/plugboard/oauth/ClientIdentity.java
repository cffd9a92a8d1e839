package dev.plugboard.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import dev.plugboard.credential.Crypto;
import dev.plugboard.net.GuardedHttp.Request;
import dev.plugboard.net.GuardedHttp.Response;
import dev.plugboard.oauth.Discovery.AuthServer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Which client Plugboard is at an authorization server (RESEARCH §2.5): the caller's own client, a
 * Client ID Metadata Document, or a Dynamic Client Registration (RFC 7591) cached per (issuer,
 * redirect URI) with its secret encrypted.
 */
@ApplicationScoped
class ClientIdentity {

  private static final Logger LOG = Logger.getLogger(ClientIdentity.class);

  /** A client id, its secret (or null) and how it authenticates at the token endpoint. */
  record Client(String clientId, String clientSecret, String authMethod) {
    @Override
    public String toString() {
      return "Client[" + clientId + ", " + authMethod + "]";
    }
  }

  private final OAuthHttp http;
  private final OAuthUrls urls;
  private final OAuthConfig config;
  private final Crypto crypto;

  ClientIdentity(OAuthHttp http, OAuthUrls urls, OAuthConfig config, Crypto crypto) {
    this.http = http;
    this.urls = urls;
    this.config = config;
    this.crypto = crypto;
  }

  /** True when {@link #forServer} can work without a client from the caller. */
  boolean automatic(AuthServer as) {
    return (as.clientMetadataSupported() && urls.clientMetadataUsable()) || as.registrationEndpoint() != null;
  }

  Client forServer(AuthServer as, String givenId, String givenSecret) {
    if (givenId != null) {
      return new Client(givenId, givenSecret, givenSecret == null ? "none" : secretMethod(as.tokenAuthMethods()));
    }
    if (as.clientMetadataSupported() && urls.clientMetadataUsable()) {
      return new Client(urls.clientMetadataUrl(), null, "none");
    }
    if (as.registrationEndpoint() != null) {
      return registered(as);
    }
    throw new ApiException(
        400,
        "dcr_not_supported",
        "the authorization server supports neither dynamic client registration nor client metadata "
            + "documents; pass oauth_client_id (and oauth_client_secret) of a client registered there");
  }

  /** Prefers sending the secret in the body, else HTTP Basic (the RFC 6749 default). */
  static String secretMethod(List<String> supported) {
    if (supported.contains("client_secret_post")) {
      return "client_secret_post";
    }
    if (supported.contains("client_secret_basic")) {
      return "client_secret_basic";
    }
    return supported.contains("none") ? "none" : "client_secret_basic";
  }

  /** How a stored client authenticates: as registered, else by whether it has a secret. */
  static String methodFor(String clientId, String clientSecret) {
    Optional<ClientRegistration> reg =
        QuarkusTransaction.requiringNew()
            .call(() -> ClientRegistration.<ClientRegistration>find("clientId", clientId).firstResultOptional());
    return reg.map(r -> r.tokenAuthMethod).orElse(clientSecret == null ? "none" : "client_secret_post");
  }

  private Client registered(AuthServer as) {
    String redirect = urls.callback();
    Optional<Client> cached =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    ClientRegistration.<ClientRegistration>find("issuer = ?1 and redirectUri = ?2", as.issuer(), redirect)
                        .firstResultOptional()
                        .filter(r -> r.secretExpiresAt == null || r.secretExpiresAt.isAfter(Instant.now().plus(Duration.ofMinutes(15))))
                        .map(r -> new Client(r.clientId, crypto.decrypt(r.clientSecret, r.aad()), r.tokenAuthMethod)));
    if (cached.isPresent()) {
      return cached.get();
    }
    String method = secretMethod(as.tokenAuthMethods());
    ObjectNode body = http.mapper().createObjectNode();
    body.put("client_name", config.clientName());
    body.putArray("redirect_uris").add(redirect);
    body.putArray("grant_types").add("authorization_code").add("refresh_token");
    body.putArray("response_types").add("code");
    body.put("token_endpoint_auth_method", method);
    body.put("application_type", "web");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Accept", "application/json");
    Response r = http.send(Request.post(as.registrationEndpoint(), headers, body.toString()), "client registration");
    if (r.status() / 100 != 2) {
      throw ApiException.upstream("the authorization server refused client registration (HTTP " + r.status() + ")");
    }
    JsonNode doc =
        http.parseObject(r.body())
            .orElseThrow(() -> ApiException.upstream("client registration answered no JSON object"));
    String clientId = Discovery.text(doc, "client_id");
    if (clientId == null) {
      throw ApiException.upstream("client registration answered no client_id");
    }
    String secret = Discovery.text(doc, "client_secret");
    String granted = Optional.ofNullable(Discovery.text(doc, "token_endpoint_auth_method")).orElse(secret == null ? "none" : method);
    long expires = doc.path("client_secret_expires_at").asLong(0);
    Client client = new Client(clientId, secret, granted);
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                ClientRegistration.delete("issuer = ?1 and redirectUri = ?2", as.issuer(), redirect);
                ClientRegistration reg = new ClientRegistration();
                reg.id = UUID.randomUUID();
                reg.issuer = as.issuer();
                reg.redirectUri = redirect;
                reg.clientId = clientId;
                reg.clientSecret = crypto.encrypt(secret, reg.aad());
                reg.tokenAuthMethod = granted;
                reg.secretExpiresAt = expires > 0 ? Instant.ofEpochSecond(expires) : null;
                reg.createdAt = Times.now();
                reg.persist();
              });
    } catch (RuntimeException e) {
      // Another replica registered at the same moment; either client works, this one is used once.
      LOG.debugf("registration for %s not cached: %s", as.issuer(), e.getClass().getSimpleName());
    }
    LOG.infof("registered client %s at %s", clientId, as.issuer());
    return client;
  }
}
