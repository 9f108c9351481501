//! Everything the server stores (invitations, the audit trail, browser sessions, named tokens)
//! behind one interface, [`Storage`], with two implementations: [`sqlite`], a private file in
//! the data folder (the default, for one instance), and [`postgres`], one database shared by
//! several instances. Each keeps all of its SQL to itself; the rules (one open invitation per
//! address, a change and its audit record in one transaction, an append-only trail) are kept
//! by the database in both.

pub mod audit;
#[cfg(test)]
mod contract_tests;
pub mod postgres;
pub mod sqlite;
pub mod text;
pub mod tokens;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use org_invitations_core::OrganizationInvitation;

use crate::identity::Role;
use audit::{Entry, Who};
use tokens::{TokenInfo, TokenStoreError};

/// How long a browser session (a sign-in) lasts.
pub const SESSION_LIFETIME: TimeDelta = TimeDelta::hours(12);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// (Made by `postgres`, which tells this from [`StoreError::Unavailable`].)
    #[error("database error: {}", postgres::with_causes(.0))]
    Postgres(tokio_postgres::Error),
    /// The database cannot be reached just now (PostgreSQL restarting, the network): the
    /// request may be tried again.
    #[error("the database cannot be reached: {0}")]
    Unavailable(String),
    #[error("cannot open the database file {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid --database-url: {0}")]
    BadUrl(String),
    #[error("cannot use --database-ca {path}: {reason}")]
    BadCa { path: String, reason: String },
    #[error(
        "the database {database} was written by a newer version of this server (schema {found}; \
         this one knows up to {supported}): run the newer server, or choose another database"
    )]
    NewerSchema {
        database: String,
        found: i64,
        supported: i64,
    },
    /// The shared transaction a write was part of did not reach the disk.
    #[error("the change was not saved: {0}")]
    NotSaved(String),
}

/// Why one address of a create was refused by storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateRefusal {
    AlreadyPending,
}

/// Which invitations a listing includes.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Comparison key of one address (see `comparison_key`).
    pub email_key: Option<String>,
    pub include_expired: bool,
}

pub struct Page {
    pub invitations: Vec<OrganizationInvitation>,
    pub total: u64,
    /// Set when more rows follow: the `seq` of this page's last row.
    pub last_seq_if_more: Option<i64>,
}

/// Where the server keeps what it stores.
#[derive(Debug, Clone)]
pub enum Location {
    /// A file, created private if missing.
    Sqlite(PathBuf),
    Postgres {
        /// A `postgres://` URL (with its password, if any: never printed).
        url: String,
        /// PEM certificates to trust for its TLS, instead of the public roots.
        ca_file: Option<PathBuf>,
    },
}

/// What every store does. Implementations answer from their own database; callers never see
/// which one.
#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    /// The one organization's id, the same for every instance on one database.
    fn organization_id(&self) -> &str;

    /// Where the data lives, for people to read (never a password).
    fn describe(&self) -> String;

    /// Creates one invitation per address, in one transaction, each created at `now`.
    /// Addresses must already be validated. The result is in input order. With `audit`, the
    /// same transaction records each address's outcome, and the `refused` entries (what was
    /// refused before reaching the store): all of it is stored, or none.
    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError>;

    /// One page in creation order, after the row `after_seq` (exclusive), and the total, from
    /// one snapshot.
    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, StoreError>;

    /// An open (pending or expired) invitation by id.
    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// Revokes an open invitation and returns it as it was; `None` if there is none by that id.
    /// With `audit`, the same transaction records the outcome.
    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// Replaces an open (pending or expired) invitation by a fresh one to the same address,
    /// created at `now`, in one transaction: the address is never without an invitation.
    /// Returns the new invitation; `None` if there is no open one by that id. With `audit`,
    /// the same transaction records a resend with both ids.
    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// How many invitations were ever stored, whatever their state.
    async fn count_all(&self) -> Result<u64, StoreError>;

    /// Writes audit records that belong together (one request's, with no change of this
    /// server's invitations) in one transaction; returns their numbers, in order.
    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError>;

    /// Gives records written without an outcome theirs (in one transaction). A record that has
    /// an outcome keeps it.
    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError>;

    /// Audit records newest first, before record `before_seq` (exclusive) when given.
    async fn audit_list(
        &self,
        filter: &audit::Filter,
        before_seq: Option<i64>,
        count: u32,
    ) -> Result<audit::Page, StoreError>;

    /// Removes audit records older than `before` (`--audit-retention-days`); returns how many.
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Starts a browser session lasting [`SESSION_LIFETIME`]; returns its id (stored hashed).
    async fn create_session(&self, now: DateTime<Utc>) -> Result<String, StoreError>;

    async fn session_is_valid(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError>;

    /// Makes a named token with `role`; returns the token, which is stored only hashed.
    async fn create_token(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenStoreError>;

    /// The name and role of the token presented, if it is one; notes when it was last used.
    async fn find_token(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Role)>, StoreError>;

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;

    /// Whether a token by that name was there to revoke.
    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError>;
}

/// A handle on the store, shared by every request.
pub type Database = Arc<dyn Storage>;

/// Opens (creating and upgrading what is needed) the store at `location`.
pub async fn open(location: &Location) -> Result<Database, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let store = tokio::task::spawn_blocking(move || sqlite::SqliteStorage::open(&path))
                .await
                .map_err(|err| StoreError::NotSaved(err.to_string()))??;
            Arc::new(store)
        }
        Location::Postgres { url, ca_file } => {
            Arc::new(postgres::PostgresStorage::open(url, ca_file.as_deref()).await?)
        }
    })
}

/// SHA-256 in hex: how secrets (session ids, tokens) are stored.
fn sha256_hex(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A stored instant (milliseconds since 1970) as a time.
fn instant(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
