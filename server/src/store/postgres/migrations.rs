//! PostgreSQL's whole schema, in one place: the migrations, in order, applied at start in
//! one transaction under an advisory lock, so instances starting at once apply them once.

use deadpool_postgres::Pool;

use crate::ids;
use crate::store::StoreError;

/// The migrations, in order: migration `n` (from 1) brings a database from schema `n - 1` to
/// `n`. Applied ones are never edited; a change is a new one at the end.
const MIGRATIONS: &[&str] = &[
    // 1: invitations, the audit trail, sessions and named tokens, as SQLite's schema 2 holds.
    "
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
    ",
    // 2: listings that read only what they show. Counting the open invitations on every list
    // request scanned all of them (2 ms at 10,000), and a page was sorted out of all of them:
    // the count is now kept by the database itself, in 16 shards so that concurrent writers
    // (each connection adds to its own) never wait for one another, and pages come from an
    // index in listing order.
    "
    CREATE TABLE open_count (
        shard INTEGER PRIMARY KEY,
        n     BIGINT NOT NULL
    );
    INSERT INTO open_count (shard, n) SELECT shard, 0 FROM generate_series(0, 15) AS shard;
    UPDATE open_count SET n = (SELECT COUNT(*) FROM invitations WHERE state = 'open')
        WHERE shard = 0;
    CREATE FUNCTION count_open_invitations() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            delta BIGINT := 0;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF NEW.state = 'open' THEN delta := 1; END IF;
            ELSIF TG_OP = 'DELETE' THEN
                IF OLD.state = 'open' THEN delta := -1; END IF;
            ELSIF OLD.state = 'open' AND NEW.state <> 'open' THEN
                delta := -1;
            ELSIF OLD.state <> 'open' AND NEW.state = 'open' THEN
                delta := 1;
            END IF;
            IF delta <> 0 THEN
                UPDATE open_count SET n = n + delta WHERE shard = pg_backend_pid() % 16;
            END IF;
            RETURN NULL;
        END
    $$;
    CREATE TRIGGER count_open_invitations
        AFTER INSERT OR UPDATE OF state OR DELETE ON invitations
        FOR EACH ROW EXECUTE FUNCTION count_open_invitations();
    CREATE INDEX open_invitations_in_order ON invitations (seq) WHERE state = 'open';
    ",
    // 3: a session records the generation of the owner token that signed it in; sessions made
    // before have none, match no token, and end.
    "
    ALTER TABLE sessions ADD COLUMN generation TEXT;
    ",
];

/// The schema this server knows: the number of migrations.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Serialises migrations between instances starting at once (any number unique to this use).
const MIGRATION_LOCK: i64 = 0x6f72_675f_696e_7669;

/// Brings the schema up to [`CURRENT`] in one transaction under [`MIGRATION_LOCK`]; returns the
/// organization's id.
pub(super) async fn migrate(pool: &Pool, described: &str) -> Result<String, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
            &[],
        )
        .await?
        .get(0);
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            database: described.to_owned(),
            found,
            supported: CURRENT,
        });
    }
    for (done, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(migration).await?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(done as i64 + 1)],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('organization_id', $1) ON CONFLICT (key) DO NOTHING",
        &[&ids::organization_id()],
    )
    .await?;
    let organization_id: String = tx
        .query_one("SELECT value FROM meta WHERE key = 'organization_id'", &[])
        .await?
        .get(0);
    tx.commit().await?;
    Ok(organization_id)
}

/// The newest migration applied to the database, in one query.
pub(super) async fn applied(backend: &super::PostgresBackend) -> Result<i64, StoreError> {
    Ok(backend
        .client()
        .await?
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
            &[],
        )
        .await?
        .get(0))
}
