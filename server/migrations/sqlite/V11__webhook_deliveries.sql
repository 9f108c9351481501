-- Webhook deliveries: each event an endpoint wants, written in the same transaction as the
-- change it reports (beside that change's audit record), then posted by a worker, signed, and
-- retried on a schedule until a receiver answers 2xx or the schedule ends. One row per event
-- and endpoint; `message_id` is the `webhook-id` every retry of it carries. `payload` is the
-- body, made at the first attempt and kept, so every retry posts the same bytes.
CREATE TABLE webhook_deliveries (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         TEXT NOT NULL,
    endpoint_id        TEXT NOT NULL,
    event_type         TEXT NOT NULL,
    invitation_id      TEXT,
    -- For invitation.resent: the invitation it replaced.
    replaces_id        TEXT,
    actor              TEXT,
    at_ms              INTEGER NOT NULL,
    payload            TEXT,
    -- pending: waits for (another) attempt; delivered: a 2xx came back; failed: the schedule
    -- ended without one.
    state              TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    lease_until_ms     INTEGER,
    last_attempt_at_ms INTEGER,
    last_status        INTEGER,
    last_error         TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at_ms)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq);
-- A claim counts each endpoint's earlier due deliveries: only pending ones, in due order.
CREATE INDEX webhook_deliveries_pending_by_endpoint
    ON webhook_deliveries (endpoint_id, next_attempt_at_ms, seq) WHERE state = 'pending';

-- An admin may pause an endpoint (its events wait, none lost); the server disables one that
-- has failed for days (--webhook-disable-after). Either way it takes up again when resumed.
ALTER TABLE webhooks ADD COLUMN paused_at_ms INTEGER;
ALTER TABLE webhooks ADD COLUMN disabled_at_ms INTEGER;
ALTER TABLE webhooks ADD COLUMN failing_since_ms INTEGER;

-- invitation.expired goes once per invitation: the server notes each one it has reported.
-- Those already expired when this runs are not reported (their time passed before webhooks).
ALTER TABLE invitations ADD COLUMN expiry_noted INTEGER NOT NULL DEFAULT 0;
UPDATE invitations SET expiry_noted = 1
    WHERE expires_at_ms <= CAST(strftime('%s', 'now') AS INTEGER) * 1000;

-- Reminders (--remind-before): one reminder mail per invitation, through the same outbox
-- (`kind`), noted on the invitation when queued. Its link is a second one to the same
-- invitation, so the link in the first mail keeps working beside it.
ALTER TABLE invitations ADD COLUMN reminded_at_ms INTEGER;
ALTER TABLE invitations ADD COLUMN reminder_link_hash TEXT;
CREATE UNIQUE INDEX invitations_by_reminder_link ON invitations (reminder_link_hash)
    WHERE reminder_link_hash IS NOT NULL;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'invitation'
    CHECK (kind IN ('invitation', 'reminder'));

-- The audit trail records endpoints paused, resumed and disabled (the table rebuilt under the
-- new CHECK constraint, every record kept as it was).
ALTER TABLE audit RENAME TO audit_before_deliveries;
DROP TRIGGER IF EXISTS audit_is_append_only;
DROP INDEX IF EXISTS audit_by_email;
DROP INDEX IF EXISTS audit_by_actor;

CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms         INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    method        TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('create', 'invalidate', 'resend', 'denied',
                                                  'mail_queued', 'mail_sent', 'mail_written',
                                                  'mail_failed', 'accepted', 'declined',
                                                  'link_copied', 'webhook_created',
                                                  'webhook_deleted', 'webhook_rotated',
                                                  'webhook_paused', 'webhook_resumed',
                                                  'webhook_disabled')),
    email         TEXT,
    email_key     TEXT,
    invitation_id TEXT,
    replaces_id   TEXT,
    -- NULL while the outcome is not known (a gateway request in flight, or cut short).
    status        INTEGER,
    detail        TEXT,
    request_id    TEXT NOT NULL,
    client        TEXT
);
INSERT INTO audit (seq, at_ms, actor, method, action, email, email_key, invitation_id,
                   replaces_id, status, detail, request_id, client)
    SELECT seq, at_ms, actor, method, action, email, email_key, invitation_id, replaces_id,
           status, detail, request_id, client
    FROM audit_before_deliveries ORDER BY seq;
DROP TABLE audit_before_deliveries;

CREATE INDEX audit_by_email ON audit (email_key, seq);
CREATE INDEX audit_by_actor ON audit (actor, seq);
CREATE TRIGGER audit_is_append_only
    BEFORE UPDATE ON audit WHEN OLD.status IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
