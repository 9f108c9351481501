//! Everything the server stores (invitations, the audit trail, browser sessions, named tokens):
//! [`Store`], the one handle every request uses, writes the policy once (secrets hashed and
//! compared in constant time, the last-used throttle, text made storable, paging, audit
//! filters), over a [`Backend`] with two implementations: [`sqlite`], a private file in the
//! data folder (the default, for one instance), and [`postgres`], one database shared by
//! several instances. Each backend keeps all of its SQL to itself; the rules (one open
//! invitation per address, a change and its audit record in one transaction, an append-only
//! trail) are kept by the database in both.

mod answer;
pub mod answers;
pub mod audit;
mod backend;
#[cfg(test)]
mod contract_tests;
mod invitations;
pub mod links;
pub mod migrations;
pub mod outbox;
pub mod postgres;
mod readiness;
mod sessions;
pub mod sqlite;
pub mod text;
pub mod tokens;
pub mod webhooks;

pub use backend::Backend;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use org_invitations_core::OrganizationInvitation;

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
    #[error("cannot write the backup {path}: {source}")]
    Write {
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
    #[error("cannot bring the database's schema up to date: {0}")]
    Migration(String),
    /// The shared transaction a write was part of did not reach the disk.
    #[error("the change was not saved: {0}")]
    NotSaved(String),
    /// The work on a connection stopped before it finished (it panicked): a transaction it
    /// had open was rolled back, so nothing of it was kept; a read read nothing.
    #[error("the storage task stopped before it finished: {0}")]
    TaskFailed(String),
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

/// What the server stores, shared by every request (a cheap clone). The policy is written
/// here and in the files beside this one (`invitations`, `sessions`, `tokens`, `audit`), once
/// for both databases; the [`Backend`] below does the row-level work in its own SQL.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// Told when this instance queues mail, so its worker sends at once instead of at its
    /// next look (other instances on the same database find it when they look).
    mail_queued: Arc<tokio::sync::Notify>,
    webhooks_queued: Arc<tokio::sync::Notify>,
}

impl Store {
    /// Resolves when this instance has queued mail since the last call (or at once, if it
    /// did before anyone waited).
    pub async fn mail_queued(&self) {
        self.mail_queued.notified().await;
    }

    /// Wakes the worker waiting in [`Store::mail_queued`].
    fn wake_mail(&self) {
        self.mail_queued.notify_one();
    }

    /// Resolves when this instance has made a change that may have queued webhook events
    /// since the last call.
    pub async fn webhooks_queued(&self) {
        self.webhooks_queued.notified().await;
    }

    /// Wakes the worker waiting in [`Store::webhooks_queued`].
    fn wake_webhooks(&self) {
        self.webhooks_queued.notify_one();
    }

    /// The one organization's id, the same for every instance on one database.
    pub fn organization_id(&self) -> &str {
        self.backend.organization_id()
    }

    /// Where the data lives, for people to read (never a password).
    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// The connection pool's state, when the backend has one (PostgreSQL).
    pub fn pool_status(&self) -> Option<backend::PoolStatus> {
        self.backend.pool_status()
    }
}

/// Runs one store operation, timing it for the metrics.
async fn timed<T>(operation: &'static str, work: impl std::future::Future<Output = T>) -> T {
    let started = std::time::Instant::now();
    let outcome = work.await;
    crate::telemetry::store_operation(operation, started.elapsed());
    outcome
}

/// One page of `rows`, fetched with a limit one above `count`: the rows shown, and the
/// position of the last one when more follow.
fn page_of<T>(mut rows: Vec<(i64, T)>, count: u32) -> (Vec<T>, Option<i64>) {
    let more = rows.len() > count as usize;
    rows.truncate(count as usize);
    let last_if_more = if more {
        rows.last().map(|(seq, _)| *seq)
    } else {
        None
    };
    (rows.into_iter().map(|(_, row)| row).collect(), last_if_more)
}

/// Opens (creating and upgrading what is needed) the store at `location`.
pub async fn open(location: &Location) -> Result<Store, StoreError> {
    let backend: Arc<dyn Backend> = match location {
        Location::Sqlite(path) => {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let backend = tokio::task::spawn_blocking(move || sqlite::SqliteBackend::open(&path))
                .await
                .map_err(|err| StoreError::TaskFailed(err.to_string()))??;
            Arc::new(backend)
        }
        Location::Postgres { url, ca_file } => {
            Arc::new(postgres::PostgresBackend::open(url, ca_file.as_deref()).await?)
        }
    };
    Ok(Store {
        backend,
        mail_queued: Arc::new(tokio::sync::Notify::new()),
        webhooks_queued: Arc::new(tokio::sync::Notify::new()),
    })
}

/// SHA-256 in hex: how secrets (session ids, tokens) are stored.
pub(crate) fn sha256_hex(secret: &str) -> String {
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
