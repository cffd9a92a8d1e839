-- Connect links (DESIGN §13): a short-lived, single-use page where a person authorizes. The token in
-- the link's URL is stored only as its SHA-256; so are the one-time codes of the Composio return and
-- the verifier. The token is an HMAC of the link id under key `token_key` of the key ring, so the
-- service (and nobody holding only the database) can show a pending link's URL again. Secrets typed
-- on the page and held for a verifier are ciphertext (§5).
CREATE TABLE connect_links (
    id                      uuid PRIMARY KEY,
    token_hash              bytea       NOT NULL,
    token_key               text        NOT NULL,               -- key id the token is derived with
    kind                    text        NOT NULL CHECK (kind IN ('native', 'mcp_oauth', 'secrets', 'composio', 'reconnect')),
    status                  text        NOT NULL CHECK (status IN ('pending', 'awaiting_confirmation', 'completed', 'failed', 'expired', 'cancelled')),
    organization_id         uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id                 uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id                 uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    api_key_id              uuid,                               -- the key that made it (no FK: keys are deleted)
    provider                text,                               -- native slug (native, reconnect of a native connection)
    server_url              text,
    name                    text,
    secret_headers          text[],                             -- header names the page asks for (secrets, reconnect of a custom connection)
    composio_auth_config_id text,
    composio_app            text,
    composio_account_id     text,                               -- set once the page started the Composio account
    connection_id           uuid        REFERENCES connections (id) ON DELETE SET NULL,
    error                   text,
    return_url              text,
    return_code_hash        bytea,                              -- Composio's callback_url code
    confirm_code_hash       bytea,                              -- the verifier's flow code
    oauth_flow_id           uuid,                               -- the flow holding granted tokens for the verifier
    held_secrets            text,                               -- encrypted JSON: typed header values awaiting the verifier
    created_at              timestamptz NOT NULL,
    expires_at              timestamptz NOT NULL,
    consumed_at             timestamptz,                        -- Continue pressed: the page is spent
    completed_at            timestamptz                         -- left pending / awaiting_confirmation
);
CREATE UNIQUE INDEX connect_links_token_key ON connect_links (token_hash);
CREATE UNIQUE INDEX connect_links_return_code_key ON connect_links (return_code_hash);
CREATE UNIQUE INDEX connect_links_confirm_code_key ON connect_links (confirm_code_hash);
CREATE INDEX connect_links_owner_idx ON connect_links (user_id, team_id, created_at DESC, id DESC);
CREATE INDEX connect_links_open_idx ON connect_links (expires_at) WHERE status IN ('pending', 'awaiting_confirmation');
CREATE INDEX connect_links_ended_idx ON connect_links (completed_at) WHERE completed_at IS NOT NULL;
-- The gateway reuses a caller's pending reconnect link for a connection.
CREATE INDEX connect_links_reconnect_idx ON connect_links (connection_id, user_id, team_id) WHERE status = 'pending';

-- A long-poll (GET /v1/connect/links/{id}?wait=) on any replica answers as soon as its link leaves
-- pending: every status change is announced at commit on this channel with the link's id.
CREATE FUNCTION plugboard_connect_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plugboard_connect_links', NEW.id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER connect_links_status_changed AFTER UPDATE OF status ON connect_links
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION plugboard_connect_link_changed();

-- An OAuth flow started by a link's page reports to the link; with a verifier the granted tokens wait
-- in the flow (encrypted) until the person is confirmed.
ALTER TABLE oauth_flows
    ADD COLUMN connect_link_id uuid REFERENCES connect_links (id) ON DELETE SET NULL,
    ADD COLUMN held_grant      text;
