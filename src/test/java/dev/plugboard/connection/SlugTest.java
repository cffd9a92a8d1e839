package dev.plugboard.connection;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.Fixtures.Team;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** DESIGN §12: a connection's slug is derived from its name, unique in the team, and never changes. */
@QuarkusTest
class SlugTest {

  private static String slugOf(Member m, String name) {
    return m.as().body(Fixtures.mcpConnection(name)).post("/v1/connections").then().statusCode(201).extract().path("slug");
  }

  @Test
  void derivedFromTheName() {
    Member m = Fixtures.newMember();
    assertEquals("linear", slugOf(m, "Linear"));
    assertEquals("google_sheets_work", slugOf(m, "  Google Sheets (Work)!! "));
    assertEquals("cafe_uber_2026", slugOf(m, "Café Über--2026"));
    assertEquals("connection", slugOf(m, "☃ ☃"));
    String longSlug = slugOf(m, "a very long connection name that goes on and on beyond forty characters");
    assertEquals("a_very_long_connection_name_that_goes_on", longSlug);
    assertTrue(longSlug.length() <= ConnectionSlugs.MAX_BASE);
    assertEquals("a_b", slugOf(m, "a__b"), "never a double underscore: <slug>__<tool> splits at the first __");
  }

  @Test
  void collisionsInATeamTakeSuffixesAndOtherTeamsAreIndependent() {
    Team team = Fixtures.org(true).team();
    Member a = team.member();
    Member b = team.member();
    assertEquals("github", slugOf(a, "GitHub"));
    assertEquals("github_2", slugOf(a, "github"));
    // b's personal connection is invisible to a, but may be shared later: unique team-wide.
    assertEquals("github_3", slugOf(b, "GITHUB"));
    assertEquals("github", slugOf(Fixtures.newMember(), "GitHub"));
    // a name that is itself a suffixed slug does not steal a later suffix
    assertEquals("github_4", slugOf(a, "GitHub 4"));
    assertEquals("github_5", slugOf(a, "GitHub"));
  }

  @Test
  void stableAcrossRenameAndSharingAndUniqueInEveryView() {
    Team team = Fixtures.org(true).team();
    Member a = team.member();
    Member b = team.member();
    String mine = Fixtures.create(a, Fixtures.mcpConnection("Linear"));
    String theirs = Fixtures.create(b, Fixtures.mcpConnection("Linear"));
    a.as().body(Map.of("name", "Jira")).patch("/v1/connections/" + mine).then().statusCode(200)
        .body("name", equalTo("Jira")).body("slug", equalTo("linear"));
    b.as().body(Map.of("shared", true)).patch("/v1/connections/" + theirs).then().statusCode(200)
        .body("slug", equalTo("linear_2"));
    a.as().get("/v1/connections/" + mine).then().body("slug", equalTo("linear"));
    // a now sees both: the slugs differ in a's view
    List<String> slugs = a.as().get("/v1/connections").then().statusCode(200).extract().path("integrations.slug");
    assertEquals(List.of("linear_2", "linear"), slugs);
    b.as().body(Map.of("shared", false)).patch("/v1/connections/" + theirs).then().statusCode(200)
        .body("slug", equalTo("linear_2"));
  }

  @Test
  void concurrentCreationsInOneTeamGetDistinctSlugs() throws Exception {
    Member m = Fixtures.newMember();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        calls.add(() -> slugOf(m, "Same Name"));
      }
      Set<String> slugs = new HashSet<>();
      for (Future<String> f : pool.invokeAll(calls)) {
        slugs.add(f.get());
      }
      assertEquals(12, slugs.size(), slugs.toString());
      assertTrue(slugs.contains("same_name") && slugs.contains("same_name_12"), slugs.toString());
    } finally {
      pool.shutdownNow();
    }
  }
}
