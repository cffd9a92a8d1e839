package dev.plugboard.connect;

import io.quarkus.qute.TemplateData;
import java.util.List;

/**
 * What the hosted page shows (templates/connect/page.html): plain words for a person who may not be
 * technical. {@code destination} is the host (with a port other than the scheme's) the browser goes
 * to next, or null when nothing leaves Plugboard.
 */
@TemplateData
public record PageView(
    String productName,
    String creatorName,
    String creatorEmail,
    String teamName,
    String title,
    String what,
    String destination,
    String expiresAt,
    long expiresInMinutes,
    String csrf,
    List<String> secretHeaders,
    String problem) {

  public boolean asksSecrets() {
    return !secretHeaders.isEmpty();
  }
}
