package dev.plugboard.hardening;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.plugboard.support.Fixtures;
import dev.plugboard.support.Fixtures.Member;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MaintenanceTest {

  @Test
  void runPurgesExpiredIdempotencyRecordsAndIsIdempotent() {
    Member m = Fixtures.newMember();
    String expired = UUID.randomUUID().toString();
    String live = UUID.randomUUID().toString();
    m.as().header("Idempotency-Key", expired).body(Fixtures.mcpConnection("a")).post("/v1/connections").then().statusCode(201);
    m.as().header("Idempotency-Key", live).body(Fixtures.mcpConnection("b")).post("/v1/connections").then().statusCode(201);
    Db.update("UPDATE idempotency_records SET expires_at = now() - interval '1 minute' WHERE idempotency_key = ?", expired);

    Fixtures.admin()
        .post("/admin/v1/maintenance/run")
        .then()
        .statusCode(200)
        .body("tasks.task", hasItems("idempotency.purge", "crypto.reencrypt"))
        .body("tasks.find { it.task == 'idempotency.purge' }.processed", greaterThanOrEqualTo(1))
        .body("tasks.find { it.task == 'idempotency.purge' }.error", nullValue());
    assertEquals(0L, Db.value("SELECT count(*) FROM idempotency_records WHERE idempotency_key = ?", expired));
    assertEquals(1L, Db.value("SELECT count(*) FROM idempotency_records WHERE idempotency_key = ?", live));

    Fixtures.admin().post("/admin/v1/maintenance/run").then().statusCode(200)
        .body("tasks.find { it.task == 'idempotency.purge' }.error", nullValue());
  }

  @Test
  void onlyTheAdminTokenMayRunIt() {
    RestAssured.given().post("/admin/v1/maintenance/run").then().statusCode(401).body("error", equalTo("invalid_token"));
    Member m = Fixtures.newMember();
    m.as().post("/admin/v1/maintenance/run").then().statusCode(401);
    m.as().post("/admin/v1/crypto/rotate").then().statusCode(401);
  }
}
