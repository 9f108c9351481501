//! The store's backend in one SQLite file of the data folder, the default. All of SQLite's
//! SQL lives in this module: invitations in `invitations`, the audit trail in `audit`, browser
//! sessions in `sessions`, named tokens in `tokens`, the tables and the upgrades of older files
//! in `schema`. rusqlite is synchronous: [`SqliteBackend`] runs it on blocking threads, so an
//! fsync never stalls the async workers.

mod audit;
mod backup;
mod group_commit;
mod invitations;
mod schema;
mod sessions;
mod tokens;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::wire::AuditRecord;
use rusqlite::{Connection, ErrorCode};

use super::audit::{Entry, Filter, Who};
use super::backend::{Backend, Rows, StoredToken, TokenRow};
use super::{CreateRefusal, ListFilter, StoreError};
use org_invitations_core::role::Role;

pub use backup::backup;

/// Everything in one SQLite file: the [`Backend`] of a single instance.
#[derive(Clone)]
pub struct SqliteBackend {
    path: std::path::PathBuf,
    invitations: invitations::Invitations,
    audit: audit::AuditLog,
    sessions: sessions::Sessions,
    tokens: tokens::NamedTokens,
}

impl SqliteBackend {
    /// Opens (or creates, readable by its owner only) the database file. Existing data is kept;
    /// an older file is upgraded, a newer one refused.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            path: path.to_owned(),
            invitations: invitations::Invitations::open(path)?,
            audit: audit::AuditLog::open(path)?,
            sessions: sessions::Sessions::open(path)?,
            tokens: tokens::NamedTokens::open(path)?,
        })
    }
}

/// Runs synchronous SQLite work on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::TaskFailed(err.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_task_that_stops_short_says_so_not_that_a_change_was_lost() {
        let stopped = blocking::<()>(|| panic!("a bug in a read"))
            .await
            .unwrap_err();
        assert!(matches!(stopped, StoreError::TaskFailed(_)), "{stopped:?}");
        assert!(!stopped.to_string().contains("not saved"), "{stopped}");
    }
}

#[async_trait::async_trait]
impl Backend for SqliteBackend {
    fn organization_id(&self) -> &str {
        self.invitations.organization_id()
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        let invitations = self.invitations.clone();
        blocking(move || invitations.schema_version()).await
    }

    fn known_schema_version(&self) -> i64 {
        schema::current()
    }

    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let (invitations, emails) = (self.invitations.clone(), emails.to_vec());
        let audit = audit.map(|(who, refused)| (who.clone(), refused.to_vec()));
        blocking(move || {
            let audit = audit
                .as_ref()
                .map(|(who, refused)| (who, refused.as_slice()));
            invitations.create_many(&emails, now, audit)
        })
        .await
    }

    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Rows<OrganizationInvitation>, StoreError> {
        let (invitations, filter) = (self.invitations.clone(), filter.clone());
        blocking(move || invitations.list(&filter, after_seq, limit, now)).await
    }

    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (invitations, id) = (self.invitations.clone(), id.to_owned());
        blocking(move || invitations.get(&id)).await
    }

    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (invitations, id, who) = (self.invitations.clone(), id.to_owned(), audit.cloned());
        blocking(move || invitations.invalidate(&id, now, who.as_ref())).await
    }

    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (invitations, id, who) = (self.invitations.clone(), id.to_owned(), audit.cloned());
        blocking(move || invitations.resend(&id, now, who.as_ref())).await
    }

    async fn count_all(&self) -> Result<u64, StoreError> {
        let invitations = self.invitations.clone();
        blocking(move || invitations.count_all()).await
    }

    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError> {
        let (audit, who, entries) = (self.audit.clone(), who.clone(), entries.to_vec());
        blocking(move || audit.record(at, &who, &entries)).await
    }

    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
        let (audit, outcomes) = (self.audit.clone(), outcomes.to_vec());
        blocking(move || audit.complete(&outcomes)).await
    }

    async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Rows<AuditRecord>, StoreError> {
        let (audit, filter) = (self.audit.clone(), filter.clone());
        blocking(move || audit.list(&filter, before_seq, limit)).await
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let audit = self.audit.clone();
        blocking(move || audit.prune(before).map(|removed| removed as u64)).await
    }

    async fn insert_session(
        &self,
        id_hash: &str,
        generation: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (sessions, id_hash, generation) = (
            self.sessions.clone(),
            id_hash.to_owned(),
            generation.to_owned(),
        );
        blocking(move || sessions.insert(&id_hash, &generation, created, expires)).await
    }

    async fn session_exists(
        &self,
        id_hash: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (sessions, id_hash, generation) = (
            self.sessions.clone(),
            id_hash.to_owned(),
            generation.to_owned(),
        );
        blocking(move || sessions.exists(&id_hash, &generation, now)).await
    }

    async fn delete_all_sessions(&self) -> Result<u64, StoreError> {
        let sessions = self.sessions.clone();
        blocking(move || sessions.delete_all()).await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let (sessions, id_hash) = (self.sessions.clone(), id_hash.to_owned());
        blocking(move || sessions.delete(&id_hash)).await
    }

    async fn insert_token(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (tokens, name, token_hash) =
            (self.tokens.clone(), name.to_owned(), token_hash.to_owned());
        blocking(move || tokens.insert(&name, role, &token_hash, now)).await
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let (tokens, token_hash) = (self.tokens.clone(), token_hash.to_owned());
        blocking(move || tokens.by_hash(&token_hash)).await
    }

    async fn touch_token(
        &self,
        name: &str,
        now: DateTime<Utc>,
        unless_noted_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (tokens, name) = (self.tokens.clone(), name.to_owned());
        blocking(move || tokens.touch(&name, now, unless_noted_after)).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let tokens = self.tokens.clone();
        blocking(move || tokens.list()).await
    }

    async fn delete_token(&self, name: &str) -> Result<bool, StoreError> {
        let (tokens, name) = (self.tokens.clone(), name.to_owned());
        blocking(move || tokens.delete(&name)).await
    }
}

/// A writing connection to the database at `path` (created, private, if missing) with the
/// schema in place: WAL with synchronous=FULL, so a commit is on disk before the API
/// acknowledges it.
fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    create_private_file(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    schema::prepare(&mut conn, path)?;
    Ok(conn)
}

/// Creates the database file ourselves, so its mode is 0600: SQLite gives its -wal and -shm
/// files the database file's permissions. An existing file is not opened here: closing any
/// descriptor of a file drops every POSIX lock this process holds on it, SQLite's included,
/// and another process would then take this one's connections for gone.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })
}

/// A panic while holding a connection cannot leave SQLite half-written (transactions roll
/// back on drop), so a poisoned lock is still safe to use.
fn unpoisoned(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    connection
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(failure, _) if failure.code == ErrorCode::ConstraintViolation)
}
