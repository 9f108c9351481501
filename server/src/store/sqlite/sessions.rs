//! Browser sessions in SQLite, by the hash of their id (see [`crate::store::sessions`]).

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{open_connection, unpoisoned};
use crate::store::StoreError;

#[derive(Clone)]
pub struct Sessions {
    conn: Arc<Mutex<Connection>>,
}

impl Sessions {
    /// Opens the sessions table in the database at `path` (created, private, if missing).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(open_connection(path)?)),
        })
    }

    /// Stores a session, clearing the ones expired at `created` on the way.
    pub fn insert(
        &self,
        id_hash: &str,
        generation: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let conn = unpoisoned(&self.conn);
        conn.execute(
            "DELETE FROM sessions WHERE expires_at_ms <= ?1",
            [created.timestamp_millis()],
        )?;
        conn.execute(
            "INSERT INTO sessions (id_hash, generation, created_at_ms, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                id_hash,
                generation,
                created.timestamp_millis(),
                expires.timestamp_millis()
            ],
        )?;
        Ok(())
    }

    pub fn exists(
        &self,
        id_hash: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found = unpoisoned(&self.conn)
            .prepare_cached(
                "SELECT 1 FROM sessions
                 WHERE id_hash = ?1 AND generation = ?2 AND expires_at_ms > ?3",
            )?
            .query_row(params![id_hash, generation, now.timestamp_millis()], |_| {
                Ok(())
            })
            .optional()?;
        Ok(found.is_some())
    }

    pub fn delete(&self, id_hash: &str) -> Result<(), StoreError> {
        unpoisoned(&self.conn).execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
        Ok(())
    }

    pub fn delete_all(&self) -> Result<u64, StoreError> {
        Ok(unpoisoned(&self.conn).execute("DELETE FROM sessions", [])? as u64)
    }
}
