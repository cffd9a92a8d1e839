package dev.plugboard.hardening;

import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.api.LogRedaction;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** Properties of the log redaction (run by jqwik's own engine; no Quarkus needed). */
class LogRedactionPropertiesTest {

  @Provide
  Arbitrary<String> framing() {
    return Arbitraries.of(
        "Authorization: Bearer %s", "authorization=Bearer %s", "\"Authorization\":\"Bearer %s\"", "x-api-key: %s",
        "X-API-KEY=%s", "{\"access_token\":\"%s\"}", "refresh_token=%s&x=1", "client_secret: %s", "code_verifier=%s",
        "GET /v1/connections/oauth/callback?code=%s&state=%s", "{\"token\": \"%s\"}");
  }

  @Property(tries = 300)
  void secretValuesNeverSurviveRedaction(
      @ForAll("framing") String frame,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 12, max = 80) String secret,
      @ForAll @StringLength(max = 30) String before,
      @ForAll @StringLength(max = 30) String after) {
    String line = before.replaceAll("[\\s\"]", "") + " " + frame.formatted(secret, secret) + " " + after.replaceAll("[\\s\"]", "");
    String redacted = LogRedaction.redact(line);
    assertFalse(redacted.contains(secret), redacted);
    assertTrue(redacted.contains(LogRedaction.MASK));
  }

  @Property(tries = 200)
  void plugboardApiKeysAreAlwaysMasked(@ForAll @AlphaChars @NumericChars @StringLength(43) String body) {
    String key = "pb_" + body;
    assertFalse(LogRedaction.redact("key " + key + " used").contains(key));
  }

  @Property(tries = 200)
  void textWithoutSecretsIsLeftAlone(@ForAll @From("plain") String text) {
    assertEquals(text, LogRedaction.redact(text));
  }

  @Provide
  Arbitrary<String> plain() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789 .-/()").ofMaxLength(80)
        .filter(s -> !s.matches("(?s).*(token|secret|password|code|state|key|authorization|cookie|pb_).*"));
  }
}
