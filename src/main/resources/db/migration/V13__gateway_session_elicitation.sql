-- Connect links in the gateway (DESIGN §13). `elicitation_url`: the agent declared
-- capabilities.elicitation.url at initialize, so a call that needs a person answers it with JSON-RPC
-- -32042 (URL elicitation required) instead of a tool result holding the link.
-- A per-connection session may now exist before its upstream session does: initialize on a
-- connection that needs a person is answered by Plugboard, and the upstream session is opened by the
-- first message after the person has authorized: until then upstream_kind is null and
-- protocol_version is the version Plugboard answered the agent with.
ALTER TABLE gateway_sessions
    ADD COLUMN elicitation_url boolean NOT NULL DEFAULT false,
    DROP CONSTRAINT gateway_sessions_one_shape,
    ADD CONSTRAINT gateway_sessions_one_shape CHECK (
        (connection_id IS NOT NULL AND protocol_version IS NOT NULL AND upstreams IS NULL)
        OR (connection_id IS NULL AND upstream_kind IS NULL AND upstreams IS NOT NULL));
