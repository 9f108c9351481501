//! SQLite's schema: the file brought to the newest migration (`crate::store::migrations`) by
//! the first connection that opens it, under a lock file beside it, so two servers starting at
//! once migrate it once. A file from a newer server is refused, not guessed at.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rusqlite::Connection;

use crate::store::StoreError;
use crate::store::migrations::{self, Found, HISTORY_TABLE};

/// The newest schema this server makes: the number of SQLite's last migration.
pub fn current() -> i64 {
    static CURRENT: OnceLock<i64> = OnceLock::new();
    *CURRENT.get_or_init(|| migrations::latest(&migrations::sqlite()))
}

/// Brings the file at `path` (open as `conn`) up to [`current`].
pub(super) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let _migrating = MigrationLock::take(path)?;
    let latest = current();
    let found = Found {
        history: history(conn)?,
        legacy: conn.query_row("PRAGMA user_version", [], |row| row.get(0))?,
    };
    if found.history == Some(latest) && found.legacy == latest {
        return Ok(());
    }
    if let Some(adopted) = migrations::adoption(found, latest, &format!("file {}", path.display()))?
    {
        migrations::sqlite().set_target(adopted).run(conn)?;
    }
    migrations::sqlite().run(conn)?;
    // What releases before the history read: they refuse a file with a newer number.
    conn.pragma_update(None, "user_version", latest)?;
    Ok(())
}

/// The newest migration applied to the file; 0 before any.
pub(super) fn applied(conn: &Connection) -> Result<i64, StoreError> {
    Ok(history(conn)?.unwrap_or(0))
}

/// The newest migration in refinery's history, or `None` when the file has no history.
fn history(conn: &Connection) -> Result<Option<i64>, StoreError> {
    let kept: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [HISTORY_TABLE],
        |row| row.get(0),
    )?;
    if !kept {
        return Ok(None);
    }
    Ok(Some(conn.query_row(
        &format!("SELECT COALESCE(MAX(version), 0) FROM {HISTORY_TABLE}"),
        [],
        |row| row.get(0),
    )?))
}

/// An exclusive lock on `<file>.migrating` (made private, kept), held while a connection
/// migrates the file. Not a lock on the database file itself: closing any descriptor of that
/// file would drop SQLite's own locks in this process.
struct MigrationLock {
    _held: File,
}

impl MigrationLock {
    fn take(database: &Path) -> Result<Self, StoreError> {
        let path = PathBuf::from(format!("{}.migrating", database.display()));
        let failed = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(failed)?;
        // SAFETY: flock on a descriptor this function owns; it blocks until the lock is ours.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(failed(std::io::Error::last_os_error()));
        }
        Ok(Self { _held: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::Filter;
    use crate::store::backend::Backend;
    use crate::store::sqlite::SqliteBackend;

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

    #[tokio::test]
    async fn a_file_from_before_resends_keeps_its_records_and_can_record_resends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        Connection::open(&path)
            .unwrap()
            .execute_batch(SCHEMA_1_AUDIT)
            .unwrap();

        let store = SqliteBackend::open(&path).unwrap();
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, current());
        assert_eq!(
            applied(&Connection::open(&path).unwrap()).unwrap(),
            current()
        );

        let created = store
            .create_many(&["a@x.com".to_owned()], chrono::Utc::now(), None, None)
            .await
            .unwrap();
        let id = created[0].clone().unwrap();
        let who = crate::store::audit::Who {
            actor: "bob@corp.example".into(),
            method: "proxy",
            request_id: "req_2".into(),
            client: None,
        };
        let fresh = store
            .resend(&id, chrono::Utc::now(), Some(&who), false)
            .await
            .unwrap();
        assert_eq!(fresh.expect("resent").email, "a@x.com");
        let page = store
            .audit_list(&Filter::default(), None, 10)
            .await
            .unwrap();
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
            .pragma_update(None, "user_version", current() + 1)
            .unwrap();
        let err = SqliteBackend::open(&path).err().expect("refused");
        let said = err.to_string();
        assert!(said.contains("newer"), "{said}");
        assert!(
            said.contains(&format!("schema {}", current() + 1)),
            "{said}"
        );
        let tables: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))
            .unwrap();
        assert_eq!(tables, 0, "nothing was created in it");
    }
}
