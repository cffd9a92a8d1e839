package dev.plugboard.credential;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Stores and reads connection credentials. The only code that encrypts or decrypts them; every
 * other package sees either masked values or, for resolve, plaintext that never touches a log.
 */
@ApplicationScoped
public class CredentialService {

  static final int MAX_HEADERS = 50;
  static final int MAX_VALUE_LENGTH = 8192;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,256}");

  @Inject Crypto crypto;
  @Inject EntityManager em;

  /** Which of the given connections have headers and which have OAuth tokens (one query each). */
  public record Presence(Set<UUID> withHeaders, Set<UUID> withTokens) {}

  /** Plaintext OAuth token material, as the OAuth engine reads and writes it. */
  public record Tokens(
      String accessToken,
      String refreshToken,
      String tokenType,
      java.time.Instant expiresAt,
      List<String> scopes,
      String tokenEndpoint,
      String revocationEndpoint,
      String clientId,
      String clientSecret,
      String resource) {

    /** Never prints token or secret values. */
    @Override
    public String toString() {
      return "Tokens[type=" + tokenType + ", expiresAt=" + expiresAt + ", scopes=" + scopes + "]";
    }
  }

  /**
   * Checks a header set. {@code blankSecretAllowed}: on PATCH a secret {@code ""} means "keep".
   */
  public static void validate(HeadersInput in, boolean blankSecretAllowed) {
    if (in == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    check(in.plaintextOrEmpty(), "headers.plaintext", false, seen);
    check(in.secretOrEmpty(), "headers.secret", blankSecretAllowed, seen);
    if (seen.size() > MAX_HEADERS) {
      throw ApiException.validation("headers", "at most " + MAX_HEADERS + " headers");
    }
  }

  private static void check(Map<String, String> headers, String field, boolean blankOk, Set<String> seen) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String name = e.getKey();
      if (!TOKEN.matcher(name).matches()) {
        throw ApiException.validation(field, "'" + printable(name) + "' is not a valid HTTP header name");
      }
      if (!seen.add(name.toLowerCase(Locale.ROOT))) {
        throw ApiException.validation(field, "header '" + name + "' is given more than once");
      }
      String value = e.getValue();
      if (value == null) {
        throw ApiException.validation(field + "." + name, "must be a string");
      }
      if (value.length() > MAX_VALUE_LENGTH) {
        throw ApiException.validation(field + "." + name, "longer than " + MAX_VALUE_LENGTH + " characters");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n' || c == 0) {
          throw ApiException.validation(field + "." + name, "must not contain CR, LF or NUL");
        }
      }
      if (value.isEmpty() && !blankOk) {
        throw ApiException.validation(field + "." + name, "must not be empty");
      }
    }
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /**
   * Replaces the header set of a connection. A secret given as {@code ""} keeps its stored value;
   * headers left out are removed. Rows are updated in place so kept ciphertext stays bound to its row.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void replaceHeaders(UUID connectionId, HeadersInput in) {
    Map<String, ConnectionHeader> existing = new HashMap<>();
    for (ConnectionHeader h : ConnectionHeader.<ConnectionHeader>list("connectionId", connectionId)) {
      existing.put(h.name.toLowerCase(Locale.ROOT), h);
    }
    int position = 0;
    Set<String> kept = new HashSet<>();
    List<Map.Entry<String, String>> all = new ArrayList<>();
    in.plaintextOrEmpty().entrySet().forEach(all::add);
    int plaintextCount = all.size();
    in.secretOrEmpty().entrySet().forEach(all::add);
    for (int i = 0; i < all.size(); i++) {
      String name = all.get(i).getKey();
      String value = all.get(i).getValue();
      boolean secret = i >= plaintextCount;
      String lower = name.toLowerCase(Locale.ROOT);
      ConnectionHeader row = existing.get(lower);
      if (secret && value.isEmpty()) {
        if (row == null || !row.secret) {
          throw ApiException.validation(
              "headers.secret." + name, "\"\" keeps a stored secret, but none is stored under this name");
        }
        row.name = name;
        row.position = position++;
        kept.add(lower);
        continue;
      }
      if (row == null) {
        row = new ConnectionHeader();
        row.id = UUID.randomUUID();
        row.connectionId = connectionId;
      }
      row.name = name;
      row.secret = secret;
      row.value = secret ? crypto.encrypt(value, row.aad()) : value;
      row.position = position++;
      if (!row.isPersistent()) {
        row.persist();
      }
      kept.add(lower);
    }
    for (Map.Entry<String, ConnectionHeader> e : existing.entrySet()) {
      if (!kept.contains(e.getKey())) {
        e.getValue().delete();
      }
    }
  }

  /** Header names with plaintext values; secret values as {@code ""}. */
  public Map<String, String> maskedHeaders(UUID connectionId) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ConnectionHeader h : ordered(connectionId)) {
      out.put(h.name, h.secret ? "" : h.value);
    }
    return out;
  }

  /**
   * One stored header as a query outside this package reads it ({@code connection_headers} id, name,
   * value, secret): the value is still ciphertext when secret.
   */
  public record StoredHeader(UUID id, String name, String value, boolean secret) {
    @Override
    public String toString() {
      return "StoredHeader[" + name + (secret ? ", secret" : "") + "]";
    }
  }

  /** Header names with real values, in the order given. Only for resolve; never log the result. */
  public Map<String, String> resolvedHeaders(List<StoredHeader> stored) {
    Map<String, String> out = new LinkedHashMap<>();
    for (StoredHeader h : stored) {
      out.put(h.name(), h.secret() ? crypto.decrypt(h.value(), ConnectionHeader.aad(h.id())) : h.value());
    }
    return out;
  }

  private List<ConnectionHeader> ordered(UUID connectionId) {
    return ConnectionHeader.list("connectionId = ?1 order by position", connectionId);
  }

  public Presence presence(Collection<UUID> connectionIds) {
    if (connectionIds.isEmpty()) {
      return new Presence(Set.of(), Set.of());
    }
    List<UUID> headers =
        em.createQuery(
                "select distinct h.connectionId from ConnectionHeader h where h.connectionId in :ids", UUID.class)
            .setParameter("ids", connectionIds)
            .getResultList();
    List<UUID> tokens =
        em.createQuery("select t.connectionId from OAuthToken t where t.connectionId in :ids", UUID.class)
            .setParameter("ids", connectionIds)
            .getResultList();
    return new Presence(new HashSet<>(headers), new HashSet<>(tokens));
  }

  // ---- OAuth tokens ---------------------------------------------------------------------------

  /** Stores (or replaces) the tokens of a connection, encrypted. */
  @Transactional(Transactional.TxType.MANDATORY)
  public OAuthToken saveTokens(UUID connectionId, Tokens t) {
    OAuthToken row = OAuthToken.findById(connectionId);
    if (row == null) {
      row = new OAuthToken();
      row.connectionId = connectionId;
    }
    row.accessToken = crypto.encrypt(t.accessToken(), OAuthToken.aad(connectionId, "access_token"));
    row.refreshToken = crypto.encrypt(t.refreshToken(), OAuthToken.aad(connectionId, "refresh_token"));
    row.clientSecret = crypto.encrypt(t.clientSecret(), OAuthToken.aad(connectionId, "client_secret"));
    row.tokenType = t.tokenType();
    row.expiresAt = t.expiresAt();
    row.scopes = t.scopes() == null ? null : t.scopes().toArray(String[]::new);
    row.tokenEndpoint = t.tokenEndpoint();
    row.revocationEndpoint = t.revocationEndpoint();
    row.clientId = t.clientId();
    row.resource = t.resource();
    row.refreshFailures = 0;
    row.nextRefreshAt = null;
    row.updatedAt = Times.now();
    if (!row.isPersistent()) {
      row.persist();
    }
    return row;
  }

  /** Decrypts a token row. */
  public Tokens tokens(OAuthToken row) {
    UUID id = row.connectionId;
    return new Tokens(
        crypto.decrypt(row.accessToken, OAuthToken.aad(id, "access_token")),
        crypto.decrypt(row.refreshToken, OAuthToken.aad(id, "refresh_token")),
        row.tokenType,
        row.expiresAt,
        row.scopes == null ? null : List.of(row.scopes),
        row.tokenEndpoint,
        row.revocationEndpoint,
        row.clientId,
        crypto.decrypt(row.clientSecret, OAuthToken.aad(id, "client_secret")),
        row.resource);
  }

  public Optional<Tokens> tokens(UUID connectionId) {
    return OAuthToken.<OAuthToken>findByIdOptional(connectionId).map(this::tokens);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public boolean deleteTokens(UUID connectionId) {
    return OAuthToken.deleteById(connectionId);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void deleteAll(UUID connectionId) {
    ConnectionHeader.delete("connectionId", connectionId);
    OAuthToken.deleteById(connectionId);
  }
}
