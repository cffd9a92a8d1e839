-- Tenancy ------------------------------------------------------------------------------------------
CREATE TABLE organizations (
    id                  uuid PRIMARY KEY,
    name                text        NOT NULL,
    connections_sharing boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE teams (
    id              uuid PRIMARY KEY,
    organization_id uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX teams_organization_idx ON teams (organization_id);

CREATE TABLE users (
    id         uuid PRIMARY KEY,
    email      text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    team_id    uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('admin', 'member')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE api_keys (
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id    uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    prefix     text        NOT NULL,
    key_hash   bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);

-- Connections --------------------------------------------------------------------------------------
CREATE TABLE connections (
    id                    uuid PRIMARY KEY,
    team_id               uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id               uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_by            uuid        REFERENCES users (id) ON DELETE SET NULL,
    name                  text        NOT NULL,
    type                  text        NOT NULL,
    provider              text        NOT NULL,
    server_url            text,
    transport_type        text        NOT NULL DEFAULT 'http',
    auth_method           text,
    composio_mcp_id       text,
    custom_integration_id uuid,
    icon_url              text,
    oauth_provider        text,
    oauth_provider_key    text,
    oauth_scopes          text[],
    integration_id        text,
    shared                boolean     NOT NULL DEFAULT false,
    broken_at             timestamptz,
    broken_reason         text,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
-- Visibility + newest-first listing: personal rows by owner, shared rows by team.
CREATE INDEX connections_personal_idx ON connections (team_id, user_id, created_at DESC, id DESC) WHERE NOT shared;
CREATE INDEX connections_shared_idx ON connections (team_id, created_at DESC, id DESC) WHERE shared;

-- Credentials (secret values are AES-256-GCM ciphertext "<key-id>:<base64>") -------------------------
CREATE TABLE connection_headers (
    id            uuid PRIMARY KEY,
    connection_id uuid    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    name          text    NOT NULL,
    value         text    NOT NULL,
    secret        boolean NOT NULL,
    position      integer NOT NULL
);
CREATE INDEX connection_headers_connection_idx ON connection_headers (connection_id);
CREATE UNIQUE INDEX connection_headers_name_key ON connection_headers (connection_id, lower(name));

CREATE TABLE oauth_tokens (
    connection_id    uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    access_token     text        NOT NULL,
    refresh_token    text,
    token_type       text,
    expires_at       timestamptz,
    scopes           text[],
    token_endpoint   text,
    revocation_endpoint text,
    client_id        text,
    client_secret    text,
    resource         text,
    refresh_failures integer     NOT NULL DEFAULT 0,
    next_refresh_at  timestamptz,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX oauth_tokens_expiry_idx ON oauth_tokens (expires_at);

-- Triggers bound to connections (columns of the published Duvo triggers schema) ----------------------
CREATE TABLE triggers (
    id                                       uuid PRIMARY KEY,
    agent_id                                 uuid        NOT NULL,
    user_id                                  uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    integration_slug                         text        NOT NULL,
    trigger_type                             text        NOT NULL,
    filter_config                            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    integration_instance_id                  uuid        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    enabled                                  boolean     NOT NULL DEFAULT true,
    auto_disabled_at                         timestamptz,
    auto_disabled_reason                     text,
    consecutive_missing_connection_failures  integer     NOT NULL DEFAULT 0,
    first_missing_connection_failure_at      timestamptz,
    last_missing_connection_failure_at       timestamptz,
    created_at                               timestamptz NOT NULL,
    updated_at                               timestamptz NOT NULL
);
CREATE INDEX triggers_connection_idx ON triggers (integration_instance_id);
