-- MCP 2026-07-28 multi round-trip requests: the requestState values Plugboard issues itself (the
-- connect link of a connection that needs a person, as an input_required URL elicitation) are sealed
-- with the key ring and carry their own expiry, so nothing is stored when one is issued. A retry that
-- presents one records its id here first: a second use of the same state, on any replica, finds the
-- row and is refused. Rows are kept until the state would have expired anyway, then purged by the
-- maintenance task gateway.purge-request-states.
CREATE TABLE mcp_request_states (
    id         uuid        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX mcp_request_states_expires ON mcp_request_states (expires_at);
