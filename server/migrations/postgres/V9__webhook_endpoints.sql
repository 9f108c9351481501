-- Webhook endpoints, kept by admins: where to post which invitation events, and the secret
-- each delivery is signed with (Standard Webhooks). `events` is the space-separated list of
-- event types it wants; an empty one wants every event. The audit trail records each
-- endpoint added, rotated or deleted.
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    -- After a rotation, the secret before it, still signing beside the new one until then.
    previous_secret   TEXT,
    previous_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL
);
ALTER TABLE audit DROP CONSTRAINT audit_action_check;
ALTER TABLE audit ADD CONSTRAINT audit_action_check
    CHECK (action IN ('create', 'invalidate', 'resend', 'denied',
                      'mail_queued', 'mail_sent', 'mail_written', 'mail_failed',
                      'accepted', 'declined', 'link_copied', 'webhook_created',
                      'webhook_deleted', 'webhook_rotated'));
