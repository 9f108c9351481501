-- Invitations, the audit trail, browser sessions and named tokens (SQLite holds the same at
-- its schema 2).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- seq gives listings a stable order that new rows only ever extend.
CREATE TABLE invitations (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    expires_at_ms  BIGINT NOT NULL,
    accepted_at_ms BIGINT,
    -- open: pending or expired; revoked: invalidated by an admin; superseded: expired and
    -- replaced by a newer invitation to the same address.
    state          TEXT NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'revoked', 'superseded')),
    closed_at_ms   BIGINT
);
-- The database, not the handler, guarantees one open invitation per address, also when
-- two instances create for one new address at once.
CREATE UNIQUE INDEX one_open_invitation_per_email
    ON invitations (email_key) WHERE state = 'open';
CREATE INDEX open_invitations_by_expiry
    ON invitations (expires_at_ms) WHERE state = 'open';

CREATE TABLE audit (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms         BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    method        TEXT NOT NULL,
    action        TEXT NOT NULL
                  CHECK (action IN ('create', 'invalidate', 'resend', 'denied')),
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
CREATE INDEX audit_by_email ON audit (email_key, seq);
CREATE INDEX audit_by_actor ON audit (actor, seq);
CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
$$;
CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit
    FOR EACH ROW WHEN (OLD.status IS NOT NULL) EXECUTE FUNCTION audit_is_append_only();

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'inviter', 'admin')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at_ms   BIGINT NOT NULL,
    last_used_at_ms BIGINT
);
