package dev.plugboard.oauth;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.UUID;

/** Direct database steps the tests need to set a scene (an access token that just expired, ...). */
@ApplicationScoped
class TestDb {

  @Inject EntityManager em;

  void expireAccessToken(String connectionId) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("UPDATE oauth_tokens SET expires_at = now() - interval '1 minute' WHERE connection_id = :id")
                    .setParameter("id", UUID.fromString(connectionId))
                    .executeUpdate());
  }

  void expireFlows(String userId) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("UPDATE oauth_flows SET expires_at = now() - interval '1 second' WHERE user_id = :u")
                    .setParameter("u", UUID.fromString(userId))
                    .executeUpdate());
  }

  long flows(String userId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        em.createNativeQuery("SELECT count(*) FROM oauth_flows WHERE user_id = :u")
                            .setParameter("u", UUID.fromString(userId))
                            .getSingleResult())
                    .longValue());
  }

  Object[] tokenRow(String connectionId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                (Object[])
                    em.createNativeQuery(
                            "SELECT refresh_failures, next_refresh_at, expires_at FROM oauth_tokens WHERE connection_id = :id")
                        .setParameter("id", UUID.fromString(connectionId))
                        .getSingleResult());
  }

  /** The revocation job of a deleted connection: status, attempts, last_status_code; null before there is one. */
  Object[] revocationJob(String connectionId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                (Object[])
                    em.createNativeQuery("SELECT status, attempts, last_status_code FROM outbox_jobs WHERE kind = 'oauth.revoke' AND target = :id")
                        .setParameter("id", connectionId)
                        .getResultStream()
                        .findFirst()
                        .orElse(null));
  }
}
