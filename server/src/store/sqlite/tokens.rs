//! Named API tokens in SQLite, by the hash of the token (see [`crate::store::tokens`]).

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{is_unique_violation, open_connection, unpoisoned};
use crate::store::StoreError;
use crate::store::backend::{StoredToken, TokenRow};
use org_invitations_core::role::Role;

#[derive(Clone)]
pub struct NamedTokens {
    conn: Arc<Mutex<Connection>>,
}

impl NamedTokens {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(open_connection(path)?)),
        })
    }

    /// Stores a token by its hash; `false` when the name is taken.
    pub fn insert(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted = unpoisoned(&self.conn).execute(
            "INSERT INTO api_tokens (name, role, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.name(), token_hash, now.timestamp_millis()],
        );
        match inserted {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    pub fn by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        Ok(unpoisoned(&self.conn)
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
        &self,
        name: &str,
        now: DateTime<Utc>,
        unless_noted_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        unpoisoned(&self.conn)
            .prepare_cached(
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

    pub fn list(&self) -> Result<Vec<TokenRow>, StoreError> {
        let conn = unpoisoned(&self.conn);
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

    pub fn delete(&self, name: &str) -> Result<bool, StoreError> {
        let removed =
            unpoisoned(&self.conn).execute("DELETE FROM api_tokens WHERE name = ?1", [name])?;
        Ok(removed > 0)
    }
}
