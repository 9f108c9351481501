//! Named API tokens in SQLite, by the hash of the token (see [`crate::store::tokens`]),
//! given a connection by [`super::SqliteBackend`].

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::is_unique_violation;
use crate::store::StoreError;
use crate::store::backend::{StoredToken, TokenRow};
use org_invitations_core::role::Role;

/// Stores a token by its hash; `false` when the name is taken.
pub fn insert(
    conn: &Connection,
    name: &str,
    role: Role,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO api_tokens (name, role, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.name(), token_hash, now.timestamp_millis()],
    );
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

pub fn by_hash(conn: &Connection, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name, role, token_hash FROM api_tokens WHERE token_hash = ?1")?
        .query_row([token_hash], |row| {
            Ok(StoredToken {
                name: row.get(0)?,
                role: row.get(1)?,
                token_hash: row.get(2)?,
            })
        })
        .optional()?)
}

pub fn touch(
    conn: &Connection,
    name: &str,
    now: DateTime<Utc>,
    unless_noted_after: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE api_tokens SET last_used_at_ms = ?2
             WHERE name = ?1 AND (last_used_at_ms IS NULL OR last_used_at_ms <= ?3)",
    )?
    .execute(params![
        name,
        now.timestamp_millis(),
        unless_noted_after.timestamp_millis()
    ])?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<TokenRow>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT name, role, created_at_ms, last_used_at_ms FROM api_tokens ORDER BY name",
    )?;
    let tokens = statement
        .query_map([], |row| {
            Ok(TokenRow {
                name: row.get(0)?,
                role: row.get(1)?,
                created_at_ms: row.get(2)?,
                last_used_at_ms: row.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(tokens)
}

pub fn delete(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    let removed = conn.execute("DELETE FROM api_tokens WHERE name = ?1", [name])?;
    Ok(removed > 0)
}
