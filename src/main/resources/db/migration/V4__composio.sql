-- Composio connected accounts started through Plugboard, recorded against the caller so that only
-- the same user in the same team can finalize them. connection_id is set by finalize (one
-- connection per account); deleting the connection removes the record.
CREATE TABLE composio_accounts (
    connected_account_id text PRIMARY KEY,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id              uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    auth_config_id       text        NOT NULL,
    auth_scheme          text,
    toolkit              text,
    connection_id        uuid UNIQUE REFERENCES connections (id) ON DELETE CASCADE,
    created_at           timestamptz NOT NULL
);
CREATE INDEX composio_accounts_owner_idx ON composio_accounts (team_id, user_id);

-- The one Composio MCP server Plugboard creates per auth config (reused by every account of it).
CREATE TABLE composio_mcp_servers (
    auth_config_id text PRIMARY KEY,
    mcp_server_id  text        NOT NULL,
    name           text        NOT NULL,
    created_at     timestamptz NOT NULL
);
