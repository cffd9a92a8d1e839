-- Connection slugs, per-connection tool policy, and the audit trail of credential use (DESIGN §12).

-- slug: lowercase words joined by single underscores, unique within the team. A key sees only its
-- own team, so team-wide uniqueness makes a slug unique in every key's view, and it stays valid when
-- the connection moves between personal and shared. No "__" inside, so "<slug>__<tool>" splits at
-- the first "__". allowed_tools: NULL = every tool.
ALTER TABLE connections ADD COLUMN slug text;
ALTER TABLE connections ADD COLUMN allowed_tools text[];

-- Existing rows, oldest first: the same derivation as ConnectionSlugs (without the Java side's
-- accent folding), "_2", "_3"... on a collision.
DO $$
DECLARE
    r         record;
    base      text;
    candidate text;
    n         integer;
BEGIN
    FOR r IN SELECT id, team_id, name FROM connections ORDER BY created_at, id LOOP
        base := trim(BOTH '_' FROM regexp_replace(lower(r.name), '[^a-z0-9]+', '_', 'g'));
        base := rtrim(left(base, 40), '_');
        IF base = '' THEN
            base := 'connection';
        END IF;
        candidate := base;
        n := 1;
        WHILE EXISTS (SELECT 1 FROM connections WHERE team_id = r.team_id AND slug = candidate) LOOP
            n := n + 1;
            candidate := base || '_' || n;
        END LOOP;
        UPDATE connections SET slug = candidate WHERE id = r.id;
    END LOOP;
END $$;

ALTER TABLE connections ALTER COLUMN slug SET NOT NULL;
ALTER TABLE connections ADD CONSTRAINT connections_slug_format
    CHECK (slug ~ '^[a-z0-9]+(_[a-z0-9]+)*$' AND length(slug) <= 48);
CREATE UNIQUE INDEX connections_slug_key ON connections (team_id, slug);

-- Every use of a connection's credentials: forwarded tools/call (gateway) and /internal resolve.
-- Never arguments, results or header values. No foreign keys: the trail outlives a deleted
-- connection, key or user (operators read it through the admin API) until retention purges it.
CREATE TABLE connection_activity (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    api_key_id      uuid,
    user_id         uuid,
    team_id         uuid        NOT NULL,
    connection_id   uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('tools_call', 'resolve')),
    tool            text,
    outcome         text        NOT NULL CHECK (outcome IN ('ok', 'error', 'refused')),
    upstream_status integer,
    duration_ms     bigint      NOT NULL
);
CREATE INDEX connection_activity_connection_idx ON connection_activity (connection_id, at DESC, id DESC);
CREATE INDEX connection_activity_team_idx ON connection_activity (team_id, at DESC, id DESC);
CREATE INDEX connection_activity_at_idx ON connection_activity (at);
