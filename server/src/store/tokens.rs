//! Named API tokens for scripts and other services: made, listed and revoked with
//! `tokens create|list|revoke`, each with a role. Only a SHA-256 hash of each token is stored;
//! every request looks it up, so a change takes effect at once, also on a running server (and
//! on every instance sharing the database).

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::{Store, StoreError, instant, sha256_hex, timed};
use crate::ids;
use crate::limits::LAST_USED_RESOLUTION;
use org_invitations_core::role::Role;

/// A named token as `tokens list` shows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error("a token name is 1 to 64 letters, digits, '.', '-' or '_': {0:?} is not one")]
    BadName(String),
    #[error("a token named {0:?} exists already: revoke it first, or choose another name")]
    NameTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Makes a named token with `role`; returns the token. It is shown this once and stored
    /// only hashed.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenStoreError> {
        check_name(name)?;
        let token = ids::api_token();
        if self
            .backend
            .insert_token(name, role, &sha256_hex(&token), now)
            .await?
        {
            Ok(token)
        } else {
            Err(TokenStoreError::NameTaken(name.to_owned()))
        }
    }

    /// The name and role of the token presented, if it is one; notes when it was last used
    /// (at most once a minute).
    pub async fn find_token(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let hash = sha256_hex(presented);
        let Some(stored) = timed("find_token", self.backend.token_by_hash(&hash)).await? else {
            return Ok(None);
        };
        // The index found it; compare without leaking how much matched all the same.
        if !bool::from(stored.token_hash.as_bytes().ct_eq(hash.as_bytes())) {
            return Ok(None);
        }
        self.backend
            .touch_token(&stored.name, now, now - LAST_USED_RESOLUTION)
            .await?;
        Ok(Role::parse(&stored.role).map(|role| (stored.name, role)))
    }

    /// Every named token, by name: never the tokens themselves.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        Ok(self
            .backend
            .tokens()
            .await?
            .into_iter()
            .map(|row| TokenInfo {
                name: row.name,
                role: Role::parse(&row.role).unwrap_or(Role::Viewer),
                created_at: instant(row.created_at_ms),
                last_used_at: row.last_used_at_ms.map(instant),
            })
            .collect())
    }

    /// Whether a token by that name was there to revoke.
    pub async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        self.backend.delete_token(name).await
    }
}

/// Refuses a name that is not 1 to 64 letters, digits, '.', '-' or '_'.
fn check_name(name: &str) -> Result<(), TokenStoreError> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(TokenStoreError::BadName(name.to_owned()))
    }
}
