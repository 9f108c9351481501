//! Browser sessions: what the sign-in link hands a browser instead of the API token. Random,
//! stored only as a SHA-256 hash, expiring, and revoked by signing out. Kept in SQLite so a
//! restart (or another instance on the same file) does not sign anyone out.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, open_connection, sha256_hex, unpoisoned};
use crate::ids;
use crate::store::SESSION_LIFETIME;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    id_hash       TEXT PRIMARY KEY,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
";

#[derive(Clone)]
pub struct Sessions {
    conn: Arc<Mutex<Connection>>,
}

impl Sessions {
    /// Opens the sessions table in the database at `path` (created, private, if missing).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(open_connection(path, SCHEMA)?)),
        })
    }

    /// A new session, valid from `now` for [`SESSION_LIFETIME`]; returns its id, which exists
    /// nowhere else but in the browser's cookie. Expired sessions are cleared on the way.
    pub fn create(&self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let id = ids::session_id();
        let conn = unpoisoned(&self.conn);
        conn.execute(
            "DELETE FROM sessions WHERE expires_at_ms <= ?1",
            [now.timestamp_millis()],
        )?;
        conn.execute(
            "INSERT INTO sessions (id_hash, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3)",
            params![
                hash(&id),
                now.timestamp_millis(),
                (now + SESSION_LIFETIME).timestamp_millis()
            ],
        )?;
        Ok(id)
    }

    /// Whether `id` is a session that has not expired or been revoked at `now`.
    pub fn is_valid(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let found = unpoisoned(&self.conn)
            .prepare_cached("SELECT 1 FROM sessions WHERE id_hash = ?1 AND expires_at_ms > ?2")?
            .query_row(params![hash(id), now.timestamp_millis()], |_| Ok(()))
            .optional()?;
        Ok(found.is_some())
    }

    /// Ends a session (signing out). Ending one that does not exist is no error.
    pub fn revoke(&self, id: &str) -> Result<(), StoreError> {
        unpoisoned(&self.conn).execute("DELETE FROM sessions WHERE id_hash = ?1", [hash(id)])?;
        Ok(())
    }
}

/// What is stored instead of the id: a database that leaks gives no way in.
fn hash(id: &str) -> String {
    sha256_hex(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> (tempfile::TempDir, Sessions) {
        let dir = tempfile::tempdir().unwrap();
        let sessions = Sessions::open(&dir.path().join("sessions.sqlite3")).unwrap();
        (dir, sessions)
    }

    #[test]
    fn the_database_holds_no_session_id() {
        let (dir, sessions) = sessions();
        let id = sessions.create(Utc::now()).unwrap();
        drop(sessions);
        let conn = Connection::open(dir.path().join("sessions.sqlite3")).unwrap();
        let stored: String = conn
            .query_row("SELECT id_hash FROM sessions", [], |row| row.get(0))
            .unwrap();
        assert_ne!(stored, id);
        assert!(!stored.contains(&id[4..]));
    }
}
