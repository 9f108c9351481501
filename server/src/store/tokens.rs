//! Named API tokens for scripts and other services: made, listed and revoked with
//! `tokens create|list|revoke`, each with a role. Only a SHA-256 hash of each token is stored;
//! every request looks it up, so a change takes effect at once, also on a running server (and
//! on every instance sharing the database).

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::identity::Role;

/// How often a token's "last used" is written: at most once a minute, not on every request.
pub(super) const LAST_USED_RESOLUTION_MS: i64 = 60_000;

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

/// Refuses a name that is not 1 to 64 letters, digits, '.', '-' or '_'.
pub(super) fn check_name(name: &str) -> Result<(), TokenStoreError> {
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
