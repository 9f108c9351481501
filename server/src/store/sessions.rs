//! Browser sessions: what the sign-in link hands a browser instead of the API token. Random,
//! stored only as a SHA-256 hash (a database that leaks gives no way in), lasting
//! [`SESSION_LIFETIME`], and revoked by signing out. Each is bound to the generation of the
//! owner token that signed it in: when the server runs with another token (as after a leak),
//! the sessions of the old one end. An admin can end them all at once. Kept in the database,
//! so a restart (or another instance on the same database) signs nobody out.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, sha256_hex, timed};
use crate::ids;
use crate::limits::SESSION_LIFETIME;

impl Store {
    /// Starts a browser session at `now` for the owner token of `generation`; returns its id,
    /// which exists nowhere else but in the browser's cookie. Expired sessions are cleared on
    /// the way.
    pub async fn create_session(
        &self,
        now: DateTime<Utc>,
        generation: &str,
    ) -> Result<String, StoreError> {
        let id = ids::session_id();
        self.backend
            .insert_session(&sha256_hex(&id), generation, now, now + SESSION_LIFETIME)
            .await?;
        Ok(id)
    }

    /// Whether `id` is a session of the token of `generation` that has not expired or been
    /// revoked at `now`.
    pub async fn session_is_valid(
        &self,
        id: &str,
        now: DateTime<Utc>,
        generation: &str,
    ) -> Result<bool, StoreError> {
        timed(
            "session_is_valid",
            self.backend
                .session_exists(&sha256_hex(id), generation, now),
        )
        .await
    }

    /// Ends a session (signing out). Ending one that does not exist is no error.
    pub async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        self.backend.delete_session(&sha256_hex(id)).await
    }

    /// Ends every session; returns how many there were.
    pub async fn revoke_all_sessions(&self) -> Result<u64, StoreError> {
        self.backend.delete_all_sessions().await
    }
}
