package dev.plugboard.tenancy;

import dev.plugboard.api.ApiException;
import dev.plugboard.api.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Organizations, teams, users, memberships and API keys: the operator-side rules. */
@ApplicationScoped
public class TenancyService {

  @Inject CallerLookup callers;

  /** An API key as created: {@code key} is the only time the secret exists outside its hash. */
  public record CreatedKey(ApiKey entity, String key) {}

  @Transactional
  public Organization createOrganization(String name, boolean sharing) {
    Organization o = new Organization();
    o.id = UUID.randomUUID();
    o.name = name;
    o.connectionsSharing = sharing;
    o.createdAt = Times.now();
    o.updatedAt = o.createdAt;
    o.persist();
    return o;
  }

  @Transactional
  public Optional<Organization> updateOrganization(UUID id, String name, Boolean sharing) {
    Optional<Organization> found = Organization.findByIdOptional(id);
    found.ifPresent(
        o -> {
          if (name != null) {
            o.name = name;
          }
          if (sharing != null) {
            o.connectionsSharing = sharing;
          }
          o.updatedAt = Times.now();
        });
    callers.changedHere();
    return found;
  }

  @Transactional
  public Team createTeam(UUID organizationId, String name) {
    if (Organization.findById(organizationId) == null) {
      throw ApiException.validation("organization_id", "no such organization");
    }
    Team t = new Team();
    t.id = UUID.randomUUID();
    t.organizationId = organizationId;
    t.name = name;
    t.createdAt = Times.now();
    t.persist();
    return t;
  }

  @Transactional
  public User createUser(String email, String name) {
    if (User.count("lower(email) = lower(?1)", email) > 0) {
      throw ApiException.conflict("a user with this email exists");
    }
    User u = new User();
    u.id = UUID.randomUUID();
    u.email = email;
    u.name = name;
    u.createdAt = Times.now();
    u.persist();
    return u;
  }

  @Transactional
  public Membership putMember(UUID teamId, UUID userId, String role) {
    if (Team.findById(teamId) == null) {
      throw ApiException.notFound("team");
    }
    if (User.findById(userId) == null) {
      throw ApiException.notFound("user");
    }
    Membership.Key key = new Membership.Key(teamId, userId);
    Membership m = Membership.findById(key);
    if (m == null) {
      m = new Membership();
      m.id = key;
      m.createdAt = Times.now();
      m.role = role;
      m.persist();
    } else {
      m.role = role;
    }
    callers.changedHere();
    return m;
  }

  @Transactional
  public CreatedKey createApiKey(UUID userId, UUID teamId, String name, Instant expiresAt) {
    return createApiKey(userId, teamId, name, expiresAt, ApiKeys.generate());
  }

  /** Creates a key with a given secret (the dev bootstrap's fixed key). */
  @Transactional
  public CreatedKey createApiKey(UUID userId, UUID teamId, String name, Instant expiresAt, String key) {
    if (Membership.findById(new Membership.Key(teamId, userId)) == null) {
      throw ApiException.validation("user_id", "the user is not a member of the team");
    }
    ApiKey k = new ApiKey();
    k.id = UUID.randomUUID();
    k.userId = userId;
    k.teamId = teamId;
    k.name = name;
    k.prefix = ApiKeys.prefix(key);
    k.keyHash = ApiKeys.hash(key);
    k.createdAt = Times.now();
    k.expiresAt = expiresAt;
    k.persist();
    return new CreatedKey(k, key);
  }

  @Transactional
  public boolean revokeApiKey(UUID id) {
    ApiKey k = ApiKey.findById(id);
    if (k == null) {
      return false;
    }
    if (k.revokedAt == null) {
      k.revokedAt = Times.now();
    }
    callers.changedHere();
    return true;
  }
}
