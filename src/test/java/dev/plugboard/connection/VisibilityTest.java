package dev.plugboard.connection;

import static org.hamcrest.Matchers.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import dev.plugboard.support.Fixtures.Org;
import dev.plugboard.support.Fixtures.Team;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DESIGN §3: who sees and who may change personal and team-shared connections. */
@QuarkusTest
class VisibilityTest {

  Org org;
  Team team;
  Member owner;
  Member teammate;
  Member admin;
  Member otherTeam;
  Member otherOrg;

  @BeforeEach
  void tenants() {
    org = Fixtures.org(true);
    team = org.team();
    owner = team.member();
    teammate = team.member();
    admin = team.member("admin");
    otherTeam = org.team().member("admin");
    otherOrg = Fixtures.newMember();
  }

  private static void visible(Member m, String id) {
    m.as().get("/v1/connections/" + id).then().statusCode(200).body("id", equalTo(id));
    m.as().get("/v1/connections/" + id + "/credentials").then().statusCode(200);
    m.as().get("/v1/connections").then().statusCode(200).body("integrations.id", hasItem(id));
  }

  private static void invisible(Member m, String id) {
    m.as().get("/v1/connections/" + id).then().statusCode(404).body("error", equalTo("not_found"));
    m.as().get("/v1/connections/" + id + "/credentials").then().statusCode(404);
    m.as().body(Map.of("name", "x")).patch("/v1/connections/" + id).then().statusCode(404);
    m.as().delete("/v1/connections/" + id).then().statusCode(404);
    m.as().get("/v1/connections").then().statusCode(200).body("integrations.id", not(hasItem(id)));
  }

  @Test
  void personalConnectionIsOnlyTheOwners() {
    String id = Fixtures.create(owner, Fixtures.mcpConnection("mine"));
    visible(owner, id);
    invisible(teammate, id);
    invisible(admin, id);
    invisible(otherTeam, id);
    invisible(otherOrg, id);
  }

  @Test
  void sharedConnectionFollowsTheOrganizationSetting() {
    String id = Fixtures.create(owner, Fixtures.mcpConnection("ours"));
    owner
        .as()
        .body(Map.of("shared", true))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("shared", equalTo(true))
        .body("user_id", nullValue())
        .body("created_by", equalTo(owner.userId()));
    visible(owner, id);
    visible(teammate, id);
    visible(admin, id);
    invisible(otherTeam, id);
    invisible(otherOrg, id);

    org.sharing(false);
    visible(owner, id);
    invisible(teammate, id);
    invisible(admin, id);

    org.sharing(true);
    visible(teammate, id);
  }

  @Test
  void sharedWritesNeedCreatorOrTeamAdmin() {
    String id = Fixtures.create(owner, Fixtures.mcpConnection("ours"));
    owner.as().body(Map.of("shared", true)).patch("/v1/connections/" + id).then().statusCode(200);
    teammate.as().body(Map.of("name", "hijack")).patch("/v1/connections/" + id).then().statusCode(403).body("error", equalTo("forbidden"));
    teammate.as().delete("/v1/connections/" + id).then().statusCode(403).body("error", equalTo("forbidden"));
    admin.as().body(Map.of("name", "renamed")).patch("/v1/connections/" + id).then().statusCode(200).body("name", equalTo("renamed"));
    owner.as().body(Map.of("name", "mine again")).patch("/v1/connections/" + id).then().statusCode(200);
    admin.as().delete("/v1/connections/" + id).then().statusCode(200).body("success", equalTo(true));
    owner.as().get("/v1/connections/" + id).then().statusCode(404);
  }

  @Test
  void sharingWhileDisabledIs403() {
    org.sharing(false);
    String id = Fixtures.create(owner, Fixtures.mcpConnection("mine"));
    owner.as().body(Map.of("shared", true)).patch("/v1/connections/" + id).then().statusCode(403).body("error", equalTo("sharing_disabled"));
    owner.as().get("/v1/connections/" + id).then().statusCode(200).body("shared", equalTo(false));
  }

  @Test
  void unsharingMakesItTheCreatorsAgain() {
    String id = Fixtures.create(owner, Fixtures.mcpConnection("ours"));
    owner.as().body(Map.of("shared", true)).patch("/v1/connections/" + id).then().statusCode(200);
    admin
        .as()
        .body(Map.of("shared", false))
        .patch("/v1/connections/" + id)
        .then()
        .statusCode(200)
        .body("shared", equalTo(false))
        .body("user_id", equalTo(owner.userId()));
    invisible(teammate, id);
    visible(owner, id);
  }
}
