-- Realistic volume for the API benchmark: 1,000 teams (10 per organization), one admin user and one
-- API key per team, 100 connections per team (every 5th shared) each with a plaintext header.
-- Deterministic ids (md5-derived UUIDs) so wrk and pgbench scripts can address rows.
INSERT INTO organizations (id, name, connections_sharing, created_at, updated_at)
SELECT md5('org' || o)::uuid, 'org ' || o, true, now(), now() FROM generate_series(1, 100) o;

INSERT INTO teams (id, organization_id, name, created_at)
SELECT md5('team' || t)::uuid, md5('org' || (t % 100 + 1))::uuid, 'team ' || t, now() FROM generate_series(1, 1000) t;

INSERT INTO users (id, email, name, created_at)
SELECT md5('user' || t)::uuid, 'user' || t || '@bench.test', 'user ' || t, now() FROM generate_series(1, 1000) t;

INSERT INTO memberships (team_id, user_id, role, created_at)
SELECT md5('team' || t)::uuid, md5('user' || t)::uuid, 'admin', now() FROM generate_series(1, 1000) t;

INSERT INTO api_keys (id, user_id, team_id, name, prefix, key_hash, created_at)
SELECT md5('key' || t)::uuid, md5('user' || t)::uuid, md5('team' || t)::uuid, 'bench',
       left('pb_bench_key_' || lpad(t::text, 10, '0'), 12),
       sha256(convert_to('pb_bench_key_' || lpad(t::text, 10, '0'), 'UTF8')), now()
FROM generate_series(1, 1000) t;

INSERT INTO connections (id, team_id, user_id, created_by, name, slug, type, provider, server_url, transport_type,
                         auth_method, shared, created_at, updated_at)
SELECT md5('conn' || t || '-' || c)::uuid, md5('team' || t)::uuid,
       CASE WHEN c % 5 = 0 THEN NULL ELSE md5('user' || t)::uuid END, md5('user' || t)::uuid,
       'connection ' || c, 'connection_' || c, CASE WHEN c % 4 = 0 THEN 'linear' ELSE 'custom_mcp' END, 'user',
       'https://mcp' || c || '.bench.test/mcp', 'http', 'headers', c % 5 = 0,
       now() - (c || ' seconds')::interval, now()
FROM generate_series(1, 1000) t, generate_series(1, 100) c;

INSERT INTO connection_headers (id, connection_id, name, value, secret, position)
SELECT md5('hdr' || t || '-' || c)::uuid, md5('conn' || t || '-' || c)::uuid, 'X-Workspace', 'ws-' || c, false, 0
FROM generate_series(1, 1000) t, generate_series(1, 100) c;

ANALYZE;
