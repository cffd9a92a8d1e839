-- Step-up authorization (MCP authorization spec): a reconnect link made because the server refused a
-- request with 403 insufficient_scope carries the scopes its OAuth flow asks for (those granted plus
-- those the challenge named). NULL: the flow asks for what discovery finds, as before.
ALTER TABLE connect_links ADD COLUMN scopes text[];
