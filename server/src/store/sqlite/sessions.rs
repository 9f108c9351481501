//! Browser sessions in SQLite, by the hash of their id (see [`crate::store::sessions`]),
//! given a connection by [`super::SqliteBackend`].

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;

/// Stores a session, clearing the ones expired at `created` on the way.
pub fn insert(
    conn: &Connection,
    id_hash: &str,
    generation: &str,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), StoreError> {
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
    conn: &Connection,
    id_hash: &str,
    generation: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let found = conn
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

pub fn delete(conn: &Connection, id_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
    Ok(())
}

pub fn delete_all(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.execute("DELETE FROM sessions", [])? as u64)
}
