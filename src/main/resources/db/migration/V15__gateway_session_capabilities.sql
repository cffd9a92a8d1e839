-- Relaying server requests on /mcp/v1 (issue 21, item 3). `client_capabilities`: the sampling,
-- elicitation and roots capabilities the agent declared at initialize of an aggregate session, which
-- Plugboard declares in turn when it opens an upstream session for it, so an upstream asks the agent
-- only what the agent offers. Null for per-connection sessions (their initialize goes upstream as sent).
ALTER TABLE gateway_sessions ADD COLUMN client_capabilities jsonb;
