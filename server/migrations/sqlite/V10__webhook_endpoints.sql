-- Webhook endpoints, kept by admins: where to post which invitation events, and the secret
-- each delivery is signed with (Standard Webhooks; the only place it is kept, so the data
-- folder stays private). `events` is the space-separated list of event types it wants; an
-- empty one wants every event. The audit trail records each endpoint added, rotated or deleted
-- (the table rebuilt under the new CHECK constraint, every record kept as it was).
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    -- After a rotation, the secret before it, still signing beside the new one until then.
    previous_secret   TEXT,
    previous_until_ms INTEGER,
    created_at_ms INTEGER NOT NULL
);

ALTER TABLE audit RENAME TO audit_before_webhooks;
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
                                                  'webhook_deleted', 'webhook_rotated')),
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
    FROM audit_before_webhooks ORDER BY seq;
DROP TABLE audit_before_webhooks;

CREATE INDEX audit_by_email ON audit (email_key, seq);
CREATE INDEX audit_by_actor ON audit (actor, seq);
CREATE TRIGGER audit_is_append_only
    BEFORE UPDATE ON audit WHEN OLD.status IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
