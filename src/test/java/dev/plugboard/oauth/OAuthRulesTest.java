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
  void stepUpReadsOnlyA403InsufficientScopeChallengeThatNamesScopes() {
    String challenge = "Bearer error=\"insufficient_scope\", scope=\"mcp:read  mcp:write\", resource_metadata=\"https://s.example/.well-known/oauth-protected-resource\"";
    assertEquals(List.of("mcp:read", "mcp:write"), StepUp.scopesAsked(403, challenge).orElseThrow());
    assertEquals(List.of("files:write"), StepUp.scopesAsked(403, "bearer scope=files:write, error=insufficient_scope").orElseThrow(), "scheme case-insensitive, token values");
    assertTrue(StepUp.scopesAsked(401, challenge).isEmpty(), "a 401 is a new authorization, not a step-up");
    assertTrue(StepUp.scopesAsked(403, "Bearer error=\"invalid_token\", scope=\"mcp:write\"").isEmpty());
    assertTrue(StepUp.scopesAsked(403, "Bearer error=\"insufficient_scope\"").isEmpty(), "no scope named: nothing to ask for");
    assertTrue(StepUp.scopesAsked(403, "Basic realm=\"x\"").isEmpty());
    assertTrue(StepUp.scopesAsked(403, null).isEmpty());

    assertEquals(List.of("openid", "mcp:read", "mcp:write"), StepUp.union(List.of("openid", "mcp:read"), List.of("mcp:read", "mcp:write")));
    assertEquals(List.of("mcp:write"), StepUp.union(null, List.of("mcp:write")));
    assertTrue(StepUp.wouldWiden(List.of("mcp:read"), List.of("mcp:write")));
    assertTrue(StepUp.wouldWiden(null, List.of("mcp:write")));
    assertFalse(StepUp.wouldWiden(List.of("mcp:read", "mcp:write"), List.of("mcp:write")), "already granted: asking again would loop");
  }

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
