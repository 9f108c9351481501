-- Invitations that reach people: each one's mail waits in the outbox, written in the same
-- transaction as the invitation, until a delivery worker has it accepted by a mail server (or
-- gives up). Several instances share the outbox: a worker claims rows (FOR UPDATE SKIP
-- LOCKED) under a lease that a crashed worker loses. The invitation gains the language its
-- mail speaks, who invited, and the hash of its link's token (the token itself is only ever
-- in the mail).
ALTER TABLE invitations ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
ALTER TABLE invitations ADD COLUMN inviter TEXT;
ALTER TABLE invitations ADD COLUMN link_hash TEXT;
CREATE UNIQUE INDEX invitations_by_link ON invitations (link_hash) WHERE link_hash IS NOT NULL;

CREATE TABLE outbox (
    seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invitation_id      TEXT NOT NULL,
    recipient          TEXT NOT NULL,
    -- queued: waits for (another) attempt; sent: a mail server accepted it; written: put in the
    -- data folder's mail/ (no mail server configured); failed: refused
    -- for good, or the invitation expired first; withdrawn: revoked or replaced before it went.
    state              TEXT NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'sent', 'written', 'failed', 'withdrawn')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    created_at_ms      BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    lease_until_ms     BIGINT,
    last_attempt_at_ms BIGINT,
    answer             TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at_ms) WHERE state = 'queued';
CREATE INDEX outbox_by_invitation ON outbox (invitation_id, seq);
