-- The person invited answers: an invitation can be accepted or declined (once), and keeps
-- when it was declined as it keeps when it was accepted. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt under its new definition, every row kept as
-- it was, with its indexes and the kept count's triggers made again.
CREATE TABLE invitations_answered (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    accepted_at_ms INTEGER,
    -- open: pending or expired; revoked: invalidated by an admin; superseded: expired and
    -- replaced by a newer invitation to the same address; accepted, declined: answered by
    -- the person invited.
    state          TEXT NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'revoked', 'superseded', 'accepted', 'declined')),
    closed_at_ms   INTEGER,
    locale         TEXT NOT NULL DEFAULT 'en',
    inviter        TEXT,
    link_hash      TEXT,
    declined_at_ms INTEGER
);
INSERT INTO invitations_answered (seq, id, email, email_key, created_at_ms, expires_at_ms,
                                  accepted_at_ms, state, closed_at_ms, locale, inviter,
                                  link_hash)
    SELECT seq, id, email, email_key, created_at_ms, expires_at_ms, accepted_at_ms, state,
           closed_at_ms, locale, inviter, link_hash
    FROM invitations ORDER BY seq;
DROP TABLE invitations;
ALTER TABLE invitations_answered RENAME TO invitations;

CREATE UNIQUE INDEX one_open_invitation_per_email ON invitations (email_key) WHERE state = 'open';
CREATE INDEX open_invitations_by_expiry ON invitations (expires_at_ms) WHERE state = 'open';
CREATE UNIQUE INDEX invitations_by_link ON invitations (link_hash) WHERE link_hash IS NOT NULL;
CREATE TRIGGER open_count_on_insert AFTER INSERT ON invitations
    WHEN NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER open_count_on_close AFTER UPDATE OF state ON invitations
    WHEN OLD.state = 'open' AND NEW.state <> 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
CREATE TRIGGER open_count_on_reopen AFTER UPDATE OF state ON invitations
    WHEN OLD.state <> 'open' AND NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER open_count_on_delete AFTER DELETE ON invitations
    WHEN OLD.state = 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
