-- Webhooks and the transactional outbox (DESIGN §14).
-- An event row is written in the transaction of the change that causes it, so it exists if and only
-- if the change committed. Each thing to do about it (a delivery to one webhook endpoint, a token
-- revocation, a Composio account deletion) is an outbox job: claimed with FOR UPDATE SKIP LOCKED and
-- a lease (lease_owner, lease_until), retried on the schedule, kept as the delivery log.
CREATE TABLE webhook_endpoints (
    id                     uuid PRIMARY KEY,
    url                    text        NOT NULL,
    events                 text[],               -- null: every event type
    organization_id        uuid REFERENCES organizations (id) ON DELETE CASCADE, -- null: every organization
    description            text,
    enabled                boolean     NOT NULL,
    disabled_reason        text,
    secret                 text        NOT NULL, -- Crypto ciphertext of whsec_...
    previous_secret        text,                 -- Crypto ciphertext, signs too until previous_expires_at
    previous_expires_at    timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

CREATE TABLE outbox_events (
    id              text PRIMARY KEY,           -- msg_..., the webhook-id
    type            text        NOT NULL,
    organization_id uuid,
    body            text        NOT NULL,       -- the exact JSON sent and signed
    created_at      timestamptz NOT NULL
);

CREATE TABLE outbox_jobs (
    id               uuid PRIMARY KEY,
    kind             text        NOT NULL,      -- webhook | oauth.revoke | composio.delete_account
    target           text,                      -- webhook: endpoint id; others: what the job acts on
    event_id         text REFERENCES outbox_events (id) ON DELETE CASCADE,
    payload          text,                      -- kind-specific; sealed by its writer when secret
    status           text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      uuid,
    lease_until      timestamptz,
    last_status_code int,
    last_error       text,
    created_at       timestamptz NOT NULL,
    ended_at         timestamptz
);
CREATE INDEX outbox_jobs_due_idx ON outbox_jobs (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_jobs_target_idx ON outbox_jobs (kind, target, created_at DESC);
CREATE INDEX outbox_jobs_ended_idx ON outbox_jobs (ended_at) WHERE status <> 'pending';
CREATE INDEX outbox_jobs_event_idx ON outbox_jobs (event_id);
