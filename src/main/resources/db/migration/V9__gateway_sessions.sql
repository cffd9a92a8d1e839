-- MCP gateway sessions (DESIGN §12). The agent's Mcp-Session-Id is stored only as its SHA-256; the
-- row is everything a replica needs to serve the session, so no replica keeps session state.
CREATE TABLE gateway_sessions (
    id_hash             bytea PRIMARY KEY,
    api_key_id          uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    connection_id       uuid        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    upstream_kind       text        NOT NULL,
    upstream_session_id text,
    protocol_version    text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX gateway_sessions_last_used ON gateway_sessions (last_used_at);
