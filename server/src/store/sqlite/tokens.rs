//! Named API tokens in SQLite (see [`crate::store::tokens`]).

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use subtle::ConstantTimeEq;

use super::{StoreError, instant, is_unique_violation, open_connection, sha256_hex, unpoisoned};
use crate::identity::Role;
use crate::ids;
use crate::store::tokens::{LAST_USED_RESOLUTION_MS, TokenInfo, TokenStoreError, check_name};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'inviter', 'admin')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER
);
";

#[derive(Clone)]
pub struct NamedTokens {
    conn: Arc<Mutex<Connection>>,
}

impl NamedTokens {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: Arc::new(Mutex::new(open_connection(path, SCHEMA)?)),
        })
    }

    /// Makes a token named `name`; returns it. It is shown this once and stored only hashed.
    pub fn create(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenStoreError> {
        check_name(name)?;
        let token = ids::api_token();
        let inserted = unpoisoned(&self.conn).execute(
            "INSERT INTO api_tokens (name, role, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.name(), sha256_hex(&token), now.timestamp_millis()],
        );
        match inserted {
            Ok(_) => Ok(token),
            Err(err) if is_unique_violation(&err) => {
                Err(TokenStoreError::NameTaken(name.to_owned()))
            }
            Err(err) => Err(StoreError::from(err).into()),
        }
    }

    /// The name and role of the token `presented`, if it is one; notes that it was used.
    pub fn find(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let hash = sha256_hex(presented);
        let conn = unpoisoned(&self.conn);
        let found = conn
            .prepare_cached("SELECT name, role, token_hash FROM api_tokens WHERE token_hash = ?1")?
            .query_row([&hash], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .optional()?;
        let Some((name, role, stored)) = found else {
            return Ok(None);
        };
        // The index found it; compare without leaking how much matched all the same.
        if !bool::from(stored.as_bytes().ct_eq(hash.as_bytes())) {
            return Ok(None);
        }
        let now_ms = now.timestamp_millis();
        conn.prepare_cached(
            "UPDATE api_tokens SET last_used_at_ms = ?2
             WHERE name = ?1 AND (last_used_at_ms IS NULL OR last_used_at_ms <= ?3)",
        )?
        .execute(params![name, now_ms, now_ms - LAST_USED_RESOLUTION_MS])?;
        Ok(Role::parse(&role).map(|role| (name, role)))
    }

    pub fn list(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = unpoisoned(&self.conn);
        let mut statement = conn.prepare_cached(
            "SELECT name, role, created_at_ms, last_used_at_ms FROM api_tokens ORDER BY name",
        )?;
        let tokens = statement
            .query_map([], |row| {
                Ok(TokenInfo {
                    name: row.get(0)?,
                    role: Role::parse(&row.get::<_, String>(1)?).unwrap_or(Role::Viewer),
                    created_at: instant(row.get(2)?),
                    last_used_at: row.get::<_, Option<i64>>(3)?.map(instant),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(tokens)
    }

    /// Revokes the token named `name`; false if there is none.
    pub fn revoke(&self, name: &str) -> Result<bool, StoreError> {
        let removed =
            unpoisoned(&self.conn).execute("DELETE FROM api_tokens WHERE name = ?1", [name])?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> (tempfile::TempDir, NamedTokens) {
        let dir = tempfile::tempdir().unwrap();
        let tokens = NamedTokens::open(&dir.path().join("db.sqlite3")).unwrap();
        (dir, tokens)
    }

    #[test]
    fn the_list_shows_use_but_the_database_holds_no_token() {
        let (dir, tokens) = tokens();
        let now = Utc::now();
        let token = tokens.create("reporting", Role::Viewer, now).unwrap();
        assert_eq!(tokens.list().unwrap()[0].last_used_at, None);
        tokens.find(&token, now).unwrap();
        let listed = tokens.list().unwrap();
        assert_eq!(listed[0].name, "reporting");
        assert_eq!(listed[0].role, Role::Viewer);
        assert!(listed[0].last_used_at.is_some());
        let bytes = std::fs::read(dir.path().join("db.sqlite3")).unwrap();
        let wal = std::fs::read(dir.path().join("db.sqlite3-wal")).unwrap_or_default();
        for file in [bytes, wal] {
            assert!(
                !file
                    .windows(token.len())
                    .any(|window| window == token.as_bytes()),
                "the token itself is stored"
            );
        }
    }
}
