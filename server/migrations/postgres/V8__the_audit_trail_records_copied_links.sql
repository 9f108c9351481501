-- The trail records each fresh link an admin asks for to hand over another way ("Copy
-- link"): it is a credential to the invitation, so who made it, and when, is kept.
ALTER TABLE audit DROP CONSTRAINT audit_action_check;
ALTER TABLE audit ADD CONSTRAINT audit_action_check
    CHECK (action IN ('create', 'invalidate', 'resend', 'denied',
                      'mail_queued', 'mail_sent', 'mail_written', 'mail_failed',
                      'accepted', 'declined', 'link_copied'));
