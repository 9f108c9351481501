-- Limits against abuse: at most so many messages an hour for the server, and a few a day to
-- one address. Each message keeps its address's comparison key (as invitations do), and both
-- counts read an index instead of the whole outbox.
ALTER TABLE outbox ADD COLUMN recipient_key TEXT;
UPDATE outbox SET recipient_key = (SELECT email_key FROM invitations
                                   WHERE invitations.id = outbox.invitation_id);
CREATE INDEX outbox_by_recipient ON outbox (recipient_key, last_attempt_at_ms);
CREATE INDEX outbox_by_last_attempt ON outbox (last_attempt_at_ms);
