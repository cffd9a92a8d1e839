-- Idempotency records (DESIGN §4): the first response to a POST/PATCH/DELETE carrying an
-- Idempotency-Key, per API key, kept 24 h. An in_flight row is written before the work starts
-- (in its own transaction) so a concurrent repeat sees it; locked_until lets a retry take over a
-- record whose request died with its process.
CREATE TABLE idempotency_records (
    api_key_id      uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    state           text        NOT NULL CHECK (state IN ('in_flight', 'done')),
    status          integer,
    content_type    text,
    body            text,
    locked_until    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX idempotency_records_expiry_idx ON idempotency_records (expires_at);

-- Rate-limit token buckets, one row per API key, shared by every replica. Updated by a single
-- INSERT ... ON CONFLICT DO UPDATE per request (the row lock serialises concurrent requests).
CREATE TABLE rate_limit_buckets (
    api_key_id uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    tokens     double precision NOT NULL,
    granted    boolean          NOT NULL,
    updated_at timestamptz      NOT NULL
);
