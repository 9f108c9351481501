//! SQLite's whole schema, in one place: the tables, which schema a database file holds
//! (SQLite's `user_version`), and the steps that bring an older file up to this server's.
//! Every connection checks it before touching the tables, in one immediate transaction, so two
//! servers starting at once upgrade a file once. A file from a newer server is refused, not
//! guessed at.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::store::StoreError;

/// 1: invitations, sessions, named tokens and the audit trail (files made before versions
/// were recorded say 0 and hold this); 2: the audit trail records resends; 3: a session
/// records the generation of the owner token that made it.
pub const CURRENT: i64 = 3;

/// Invitations, the organization's id, and the kept count of open invitations.
pub(super) const INVITATIONS: &str = "
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
-- How many invitations are open, kept by the database itself: counting them on every list
-- request cost a scan of every open row (2 ms at 30,000). A listing's total is this minus the
-- expired open ones, which the index above counts quickly (there are few). Created, and filled
-- from the rows already there, in one transaction with its triggers.
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS open_count (n INTEGER NOT NULL);
INSERT INTO open_count (n)
    SELECT COUNT(*) FROM invitations WHERE state = 'open'
    AND NOT EXISTS (SELECT 1 FROM open_count);
CREATE TRIGGER IF NOT EXISTS open_count_on_insert AFTER INSERT ON invitations
    WHEN NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_close AFTER UPDATE OF state ON invitations
    WHEN OLD.state = 'open' AND NEW.state <> 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_reopen AFTER UPDATE OF state ON invitations
    WHEN OLD.state <> 'open' AND NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_delete AFTER DELETE ON invitations
    WHEN OLD.state = 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
COMMIT;
";

/// The audit trail, append-only once a record has its outcome.
const AUDIT: &str = "
CREATE TABLE IF NOT EXISTS audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms         INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    method        TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('create', 'invalidate', 'resend', 'denied')),
    email         TEXT,
    email_key     TEXT,
    invitation_id TEXT,
    -- A resend's replaced invitation (invitation_id is the new one).
    replaces_id   TEXT,
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
";

/// Schema 1 to 2: the trail records resends. SQLite cannot change a CHECK constraint in
/// place, so the table is rebuilt under its new definition, every record kept as it was.
const UPGRADE_TO_RESENDS: &str = "
ALTER TABLE audit RENAME TO audit_before_resends;
DROP TRIGGER IF EXISTS audit_is_append_only;
DROP INDEX IF EXISTS audit_by_email;
DROP INDEX IF EXISTS audit_by_actor;
";

/// After [`AUDIT`] made the new table: the records moved over, the old table gone.
const MOVE_RECORDS_FOR_RESENDS: &str = "
INSERT INTO audit (seq, at_ms, actor, method, action, email, email_key, invitation_id, status,
                   detail, request_id, client)
    SELECT seq, at_ms, actor, method, action, email, email_key, invitation_id, status, detail,
           request_id, client
    FROM audit_before_resends ORDER BY seq;
DROP TABLE audit_before_resends;
";

/// Browser sessions, by the hash of their id, with the generation of the owner token that
/// signed them in.
const SESSIONS: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id_hash       TEXT PRIMARY KEY,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    generation    TEXT
);
";

/// Schema 2 to 3: sessions made before have no generation, so none of them matches the
/// running token's: they end, and their browsers sign in again.
const UPGRADE_TO_SESSION_GENERATIONS: &str = "
ALTER TABLE sessions ADD COLUMN generation TEXT;
";

/// Named tokens, by the hash of the token.
const TOKENS: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'inviter', 'admin')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER
);
";

/// Brings the file at `path` (open as `conn`) up to [`CURRENT`], then makes what is missing.
pub(super) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    upgrade(conn, path)?;
    for tables in [INVITATIONS, AUDIT, SESSIONS, TOKENS] {
        conn.execute_batch(tables)?;
    }
    Ok(())
}

fn upgrade(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            database: format!("file {}", path.display()),
            found,
            supported: CURRENT,
        });
    }
    if found == CURRENT {
        return Ok(());
    }
    if audit_without_resends(&tx)? {
        tx.execute_batch(UPGRADE_TO_RESENDS)?;
        tx.execute_batch(AUDIT)?;
        tx.execute_batch(MOVE_RECORDS_FOR_RESENDS)?;
    }
    if column_missing(&tx, "sessions", "generation")? {
        tx.execute_batch(UPGRADE_TO_SESSION_GENERATIONS)?;
    }
    tx.pragma_update(None, "user_version", CURRENT)?;
    tx.commit()?;
    Ok(())
}

/// Whether `table` exists without `column` (a new file has no tables yet).
fn column_missing(conn: &Connection, table: &str, column: &str) -> Result<bool, StoreError> {
    let columns: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info(?1)",
        [table],
        |row| row.get(0),
    )?;
    let found: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |row| row.get(0),
    )?;
    Ok(columns > 0 && found == 0)
}

/// Whether the file has an audit table from before resends (a new file has none yet).
fn audit_without_resends(conn: &Connection) -> Result<bool, StoreError> {
    let columns: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('audit')",
        [],
        |row| row.get(0),
    )?;
    let has_replaces: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name = 'replaces_id'",
        [],
        |row| row.get(0),
    )?;
    Ok(columns > 0 && has_replaces == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::Filter;
    use crate::store::sqlite::audit::AuditLog;
    use crate::store::sqlite::invitations::Invitations;

    /// The audit table as schema 1 made it, with one record.
    const SCHEMA_1_AUDIT: &str = "
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, actor TEXT NOT NULL,
            method TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'invalidate', 'denied')),
            email TEXT, email_key TEXT, invitation_id TEXT, status INTEGER, detail TEXT,
            request_id TEXT NOT NULL, client TEXT);
        CREATE INDEX audit_by_email ON audit (email_key, seq);
        CREATE INDEX audit_by_actor ON audit (actor, seq);
        CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit WHEN OLD.status IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id,
                           status, detail, request_id, client)
            VALUES (1764300000000, 'alice@corp.example', 'proxy', 'create', 'a@x.com',
                    'a@x.com', 'orginv_old', 200, NULL, 'req_1', '127.0.0.1');
    ";

    #[test]
    fn a_file_from_before_resends_keeps_its_records_and_can_record_resends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch(SCHEMA_1_AUDIT)
            .unwrap();

        let store = Invitations::open(&path).unwrap();
        let audit = AuditLog::open(&path).unwrap();
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, CURRENT);

        let created = store
            .create_many(&["a@x.com".to_owned()], chrono::Utc::now(), None)
            .unwrap();
        let id = created[0].clone().unwrap();
        let who = crate::store::audit::Who {
            actor: "bob@corp.example".into(),
            method: "proxy",
            request_id: "req_2".into(),
            client: None,
        };
        let fresh = store.resend(&id, chrono::Utc::now(), Some(&who)).unwrap();
        assert_eq!(fresh.expect("resent").email, "a@x.com");
        let page = audit.list(&Filter::default(), None, 10).unwrap();
        let actions: Vec<(&str, Option<&str>)> = page
            .rows
            .iter()
            .map(|(_, record)| (record.action.as_str(), record.replaces.as_deref()))
            .collect();
        assert_eq!(
            actions,
            [("resend", Some(id.as_str())), ("create", None)],
            "the old record kept, the resend recorded"
        );
        assert_eq!(page.rows[1].1.invitation_id.as_deref(), Some("orginv_old"));
        // Still append-only after the rebuild.
        let refused = Connection::open(&path).unwrap().execute(
            "UPDATE audit SET actor = 'mallory' WHERE invitation_id = 'orginv_old'",
            [],
        );
        assert!(refused.is_err());
    }

    #[test]
    fn a_file_from_a_newer_server_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newer.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", CURRENT + 1)
            .unwrap();
        let err = Invitations::open(&path).err().expect("refused");
        let said = err.to_string();
        assert!(said.contains("newer"), "{said}");
        assert!(said.contains(&format!("schema {}", CURRENT + 1)), "{said}");
        let tables: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))
            .unwrap();
        assert_eq!(tables, 0, "nothing was created in it");
    }
}
