package dev.plugboard.oauth;

import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.credential.CredentialService.Tokens;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure rules of the engine, without a server. */
class OAuthRulesTest {

  @Test
  void bearerChallengesAreParsed() {
    var c = Discovery.parseBearer("Bearer error=\"invalid_token\", resource_metadata=\"https://a.test/.well-known/oauth-protected-resource/mcp\", scope=\"a b\"");
    assertEquals("https://a.test/.well-known/oauth-protected-resource/mcp", c.resourceMetadata());
    assertEquals("a b", c.scope());
    assertNull(Discovery.parseBearer("Basic realm=\"x\""));
    assertEquals("x", Discovery.parseBearer("bearer scope=x").scope());
  }

  @Test
  void resourcesCoverOnlyTheirOwnOriginAndPath() {
    assertTrue(Discovery.covers("https://a.test/mcp", "https://a.test/mcp"));
    assertTrue(Discovery.covers("https://a.test", "https://a.test/mcp"));
    assertTrue(Discovery.covers("https://a.test/", "https://a.test/mcp"));
    assertFalse(Discovery.covers("https://a.test/mcp", "https://a.test/mcpx"));
    assertFalse(Discovery.covers("https://a.test/mcp", "https://b.test/mcp"));
    assertFalse(Discovery.covers("https://a.test/mcp", "http://a.test/mcp"));
    assertFalse(Discovery.covers("https://a.test:8443/mcp", "https://a.test/mcp"));
    assertEquals("https://a.test/mcp", Discovery.canonical(URI.create("HTTPS://A.test:443/mcp/")));
  }

  @Test
  void issuersCompareExactlyUpToATrailingSlash() {
    assertTrue(Discovery.sameIssuer("https://as.test/t1", "https://as.test/t1/"));
    assertFalse(Discovery.sameIssuer("https://as.test/t1", "https://as.test/t2"));
    assertFalse(Discovery.sameIssuer("https://as.test", null));
  }

  @Test
  void tokensAreOnlyHandedToTheServerTheyWereIssuedFor() {
    Tokens t = new Tokens("a", "r", "Bearer", null, List.of(), "https://as.test/token", null, "c", null, "https://mcp.test/mcp");
    assertTrue(OAuthCredentialResolver.issuedFor("https://mcp.test/mcp", t));
    assertFalse(OAuthCredentialResolver.issuedFor("https://evil.test/mcp", t));
    assertFalse(OAuthCredentialResolver.issuedFor(null, t));
    Tokens nativeTokens = new Tokens("a", "r", "Bearer", null, List.of(), "https://as.test/token", null, "c", null, null);
    assertTrue(OAuthCredentialResolver.issuedFor(null, nativeTokens));
  }

  @Test
  void queryParametersAreAppendedBeforeTheFragment() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("status", "success");
    p.put("scope", "a b");
    assertEquals("https://x.test/p?a=1&status=success&scope=a%20b#f", FlowService.withQuery("https://x.test/p?a=1#f", p));
    assertEquals("https://x.test/p?status=success&scope=a%20b", FlowService.withQuery("https://x.test/p", p));
  }

  @Test
  void extraParamsParse() {
    assertEquals(Map.of("access_type", "offline", "prompt", "consent"), NativeProviders.parseParams("access_type=offline&prompt=consent"));
  }

  @Test
  void secretMethodPrefersPostThenBasic() {
    assertEquals("client_secret_post", ClientIdentity.secretMethod(List.of("client_secret_basic", "client_secret_post")));
    assertEquals("client_secret_basic", ClientIdentity.secretMethod(List.of("client_secret_basic")));
    assertEquals("none", ClientIdentity.secretMethod(List.of("none")));
  }
}
