-- OAuth engine (DESIGN §6): flows in progress and cached dynamic client registrations ---------------
-- Flow state lives here (not in memory) so any replica can finish a flow another one started.
CREATE TABLE oauth_flows (
    id                    uuid PRIMARY KEY,
    state_hash            bytea       NOT NULL,              -- SHA-256 of the state; the state itself is never stored
    kind                  text        NOT NULL CHECK (kind IN ('mcp', 'native')),
    provider              text        NOT NULL,              -- native slug, or the authorization server issuer
    team_id               uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id               uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    return_url            text,
    code_verifier         text        NOT NULL,              -- encrypted
    issuer                text,
    token_endpoint        text        NOT NULL,
    revocation_endpoint   text,
    client_id             text        NOT NULL,
    client_secret         text,                              -- encrypted
    token_auth_method     text        NOT NULL,
    resource              text,
    server_url            text,
    scopes                text[],
    name                  text,
    custom_integration_id uuid,
    integration_type      text,
    reconnect_id          uuid        REFERENCES connections (id) ON DELETE CASCADE,
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    used_at               timestamptz
);
CREATE UNIQUE INDEX oauth_flows_state_key ON oauth_flows (state_hash);
CREATE INDEX oauth_flows_expiry_idx ON oauth_flows (expires_at);

-- One registration per (issuer, redirect URI), reused by every flow against that server.
CREATE TABLE oauth_client_registrations (
    id                uuid PRIMARY KEY,
    issuer            text        NOT NULL,
    redirect_uri      text        NOT NULL,
    client_id         text        NOT NULL,
    client_secret     text,                                  -- encrypted
    token_auth_method text        NOT NULL,
    secret_expires_at timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX oauth_client_registrations_key ON oauth_client_registrations (issuer, redirect_uri);
CREATE INDEX oauth_client_registrations_client_idx ON oauth_client_registrations (client_id);
