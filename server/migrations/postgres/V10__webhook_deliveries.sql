-- Webhook deliveries (see the SQLite migration of the same name for what each column keeps).
-- Several instances share them: a worker claims rows (FOR UPDATE SKIP LOCKED) under a lease.
CREATE TABLE webhook_deliveries (
    seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id         TEXT NOT NULL,
    endpoint_id        TEXT NOT NULL,
    event_type         TEXT NOT NULL,
    invitation_id      TEXT,
    replaces_id        TEXT,
    actor              TEXT,
    at_ms              BIGINT NOT NULL,
    payload            TEXT,
    state              TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL,
    lease_until_ms     BIGINT,
    last_attempt_at_ms BIGINT,
    last_status        INTEGER,
    last_error         TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at_ms)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);
-- A claim counts each endpoint's earlier due deliveries: only pending ones, in due order.
CREATE INDEX webhook_deliveries_pending_by_endpoint
    ON webhook_deliveries (endpoint_id, next_attempt_at_ms, seq) WHERE state = 'pending';

ALTER TABLE webhooks ADD COLUMN paused_at_ms BIGINT;
ALTER TABLE webhooks ADD COLUMN disabled_at_ms BIGINT;
ALTER TABLE webhooks ADD COLUMN failing_since_ms BIGINT;

ALTER TABLE invitations ADD COLUMN expiry_noted BOOLEAN NOT NULL DEFAULT false;
UPDATE invitations SET expiry_noted = true
    WHERE expires_at_ms <= (extract(epoch FROM now()) * 1000)::BIGINT;

-- Reminders (--remind-before): see the SQLite migration of the same name.
ALTER TABLE invitations ADD COLUMN reminded_at_ms BIGINT;
ALTER TABLE invitations ADD COLUMN reminder_link_hash TEXT;
CREATE UNIQUE INDEX invitations_by_reminder_link ON invitations (reminder_link_hash)
    WHERE reminder_link_hash IS NOT NULL;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'invitation'
    CHECK (kind IN ('invitation', 'reminder'));

ALTER TABLE audit DROP CONSTRAINT audit_action_check;
ALTER TABLE audit ADD CONSTRAINT audit_action_check
    CHECK (action IN ('create', 'invalidate', 'resend', 'denied',
                      'mail_queued', 'mail_sent', 'mail_written', 'mail_failed',
                      'accepted', 'declined', 'link_copied', 'webhook_created',
                      'webhook_deleted', 'webhook_rotated', 'webhook_paused',
                      'webhook_resumed', 'webhook_disabled'));
