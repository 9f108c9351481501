-- The trail records what became of each invitation's mail (queued, sent, written to the data
-- folder, failed) and the person invited's answer (accepted, declined).
ALTER TABLE audit DROP CONSTRAINT audit_action_check;
ALTER TABLE audit ADD CONSTRAINT audit_action_check
    CHECK (action IN ('create', 'invalidate', 'resend', 'denied',
                      'mail_queued', 'mail_sent', 'mail_written', 'mail_failed',
                      'accepted', 'declined'));
