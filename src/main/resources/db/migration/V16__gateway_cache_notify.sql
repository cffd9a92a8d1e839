-- Every replica caches what the gateway reads per message (connections with their sealed headers,
-- gateway sessions: api/ChangeFeed, connection/ConnectionCache, gateway/GatewaySessions). A change to
-- one of those rows tells every replica at commit through NOTIFY 'plugboard_changes' with the payload
-- '<topic>:<key>' ('connection:<id>', 'session:<hex of id_hash>'; '<topic>:*' after a TRUNCATE), so
-- the caches drop that entry at once instead of after a TTL. Row-level: the listener needs the key.

CREATE FUNCTION plugboard_connection_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('plugboard_changes', 'connection:*');
    ELSIF TG_TABLE_NAME = 'connections' THEN
        PERFORM pg_notify('plugboard_changes', 'connection:' || COALESCE(NEW.id, OLD.id));
    ELSE -- connection_headers, oauth_tokens: a part of the connection's credentials
        PERFORM pg_notify('plugboard_changes', 'connection:' || COALESCE(NEW.connection_id, OLD.connection_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER connections_changed AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION plugboard_connection_changed();
CREATE TRIGGER connections_truncated AFTER TRUNCATE ON connections
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_connection_changed();
CREATE TRIGGER connection_headers_changed AFTER INSERT OR UPDATE OR DELETE ON connection_headers
    FOR EACH ROW EXECUTE FUNCTION plugboard_connection_changed();
CREATE TRIGGER connection_headers_truncated AFTER TRUNCATE ON connection_headers
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_connection_changed();
CREATE TRIGGER oauth_tokens_changed AFTER INSERT OR UPDATE OR DELETE ON oauth_tokens
    FOR EACH ROW EXECUTE FUNCTION plugboard_connection_changed();
CREATE TRIGGER oauth_tokens_truncated AFTER TRUNCATE ON oauth_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_connection_changed();

CREATE FUNCTION plugboard_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('plugboard_changes', 'session:*');
    ELSE
        PERFORM pg_notify('plugboard_changes', 'session:' || encode(COALESCE(NEW.id_hash, OLD.id_hash), 'hex'));
    END IF;
    RETURN NULL;
END;
$$;

-- A session's ordinary touch (last_used_at moving forward, once per touch interval) is not
-- announced: a replica whose cached copy looks idle or due for a touch reads the row again anyway.
-- Everything else is: a delete (the agent's DELETE, the idle purge, a deleted key or connection),
-- a new upstream session, a listing fingerprint, and last_used_at moved back.
CREATE TRIGGER gateway_sessions_changed AFTER UPDATE ON gateway_sessions
    FOR EACH ROW WHEN (NEW.last_used_at < OLD.last_used_at
        OR (to_jsonb(NEW) - 'last_used_at') IS DISTINCT FROM (to_jsonb(OLD) - 'last_used_at'))
    EXECUTE FUNCTION plugboard_session_changed();
CREATE TRIGGER gateway_sessions_deleted AFTER DELETE ON gateway_sessions
    FOR EACH ROW EXECUTE FUNCTION plugboard_session_changed();
CREATE TRIGGER gateway_sessions_truncated AFTER TRUNCATE ON gateway_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION plugboard_session_changed();
