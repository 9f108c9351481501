-- Invitations, the audit trail, browser sessions and named tokens, as the first release made
-- them (files from before versions were recorded hold exactly this).
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- seq gives listings a stable order that new rows only ever extend.
CREATE TABLE IF NOT EXISTS invitations (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    accepted_at_ms INTEGER,
    -- open: pending or expired; revoked: invalidated by an admin; superseded: expired and
    -- replaced by a newer invitation to the same address.
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'revoked', 'superseded')),
    closed_at_ms   INTEGER
);
-- The database, not the handler, guarantees one open invitation per address, so concurrent
-- creates for one new address yield one row and one refusal.
CREATE UNIQUE INDEX IF NOT EXISTS one_open_invitation_per_email
    ON invitations (email_key) WHERE state = 'open';
-- Lets a listing count pending (unexpired) invitations from the index alone.
CREATE INDEX IF NOT EXISTS open_invitations_by_expiry
    ON invitations (expires_at_ms) WHERE state = 'open';

-- The audit trail, append-only once a record has its outcome.
CREATE TABLE IF NOT EXISTS audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms         INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    method        TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('create', 'invalidate', 'denied')),
    email         TEXT,
    email_key     TEXT,
    invitation_id TEXT,
    -- NULL while the outcome is not known (a gateway request in flight, or cut short).
    status        INTEGER,
    detail        TEXT,
    request_id    TEXT NOT NULL,
    client        TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_email ON audit (email_key, seq);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, seq);
CREATE TRIGGER IF NOT EXISTS audit_is_append_only
    BEFORE UPDATE ON audit WHEN OLD.status IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Browser sessions, by the hash of their id.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash       TEXT PRIMARY KEY,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
);

-- Named tokens, by the hash of the token.
CREATE TABLE IF NOT EXISTS api_tokens (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'inviter', 'admin')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER
);
