-- Every replica caches API-key lookups (tenancy/CallerLookup). A change to what a key resolves to
-- (the key itself, its membership, its team or the organization's sharing setting) tells every
-- replica at commit through NOTIFY, so the caches drop their entries at once instead of after a TTL.
-- Statement-level: one notification per statement, and these tables change rarely.
CREATE FUNCTION plugboard_tenancy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plugboard_tenancy', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_tenancy_changed();
CREATE TRIGGER memberships_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_tenancy_changed();
CREATE TRIGGER teams_changed AFTER UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_tenancy_changed();
CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_tenancy_changed();
