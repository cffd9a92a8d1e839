-- Sessions of the aggregate endpoint /mcp/v1 (DESIGN §12): bound to a key, to no single connection.
-- Such a row holds one upstream session per connection it has used (`upstreams`, a JSON object keyed
-- by connection id), so the row stays everything a replica needs, and one DELETE ... RETURNING yields
-- every upstream session to end. `listed_fingerprint` identifies what the session last listed
-- (visible connections and their allowlists) for notifications/tools/list_changed.
ALTER TABLE gateway_sessions
    ALTER COLUMN connection_id DROP NOT NULL,
    ALTER COLUMN upstream_kind DROP NOT NULL,
    ALTER COLUMN protocol_version DROP NOT NULL,
    ADD COLUMN upstreams jsonb,
    ADD COLUMN listed_fingerprint text,
    ADD CONSTRAINT gateway_sessions_one_shape CHECK (
        (connection_id IS NOT NULL AND upstream_kind IS NOT NULL AND protocol_version IS NOT NULL AND upstreams IS NULL)
        OR (connection_id IS NULL AND upstream_kind IS NULL AND upstreams IS NOT NULL));
