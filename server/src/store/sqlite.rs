//! The store in one SQLite file of the data folder, the default. All of SQLite's SQL lives in
//! this module: invitations here, browser sessions in `sessions`, named tokens in `tokens`, the
//! audit trail in `audit`, upgrades of older files in `schema_version`. rusqlite is
//! synchronous: [`SqliteStorage`] runs it on blocking threads, so an fsync never stalls the
//! async workers.

pub mod audit;
mod group_commit;
pub mod schema_version;
pub mod sessions;
pub mod tokens;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::INVITATION_LIFETIME;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use super::text;
use super::tokens::{TokenInfo, TokenStoreError};
use super::{CreateRefusal, ListFilter, Page, Storage, StoreError, instant, sha256_hex};
use crate::identity::Role;
use crate::ids;
use crate::store::audit::{self as audit_types, Action, Entry, Who};

/// Everything in one SQLite file: the [`Storage`] of a single instance.
#[derive(Clone)]
pub struct SqliteStorage {
    path: std::path::PathBuf,
    invitations: Store,
    audit: audit::AuditLog,
    sessions: sessions::Sessions,
    tokens: tokens::NamedTokens,
}

impl SqliteStorage {
    /// Opens (or creates, readable by its owner only) the database file. Existing data is kept;
    /// an older file is upgraded, a newer one refused.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            path: path.to_owned(),
            invitations: Store::open(path)?,
            audit: audit::AuditLog::open(path)?,
            sessions: sessions::Sessions::open(path)?,
            tokens: tokens::NamedTokens::open(path)?,
        })
    }
}

/// Runs synchronous SQLite work on a blocking thread.
async fn blocking<T: Send + 'static, E: From<StoreError> + Send + 'static>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::NotSaved(format!("the storage task failed: {err}")))?
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    fn organization_id(&self) -> &str {
        self.invitations.organization_id()
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let (store, emails) = (self.invitations.clone(), emails.to_vec());
        let audit = audit.map(|(who, refused)| (who.clone(), refused.to_vec()));
        blocking(move || {
            let audit = audit
                .as_ref()
                .map(|(who, refused)| (who, refused.as_slice()));
            store.create_many(&emails, now, audit)
        })
        .await
    }

    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, StoreError> {
        let (store, filter) = (self.invitations.clone(), filter.clone());
        blocking(move || store.list(&filter, after_seq, count, now)).await
    }

    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (store, id) = (self.invitations.clone(), id.to_owned());
        blocking(move || store.get(&id)).await
    }

    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (store, id, who) = (self.invitations.clone(), id.to_owned(), audit.cloned());
        blocking(move || store.invalidate(&id, now, who.as_ref())).await
    }

    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (store, id, who) = (self.invitations.clone(), id.to_owned(), audit.cloned());
        blocking(move || store.resend(&id, now, who.as_ref())).await
    }

    async fn count_all(&self) -> Result<u64, StoreError> {
        let store = self.invitations.clone();
        blocking(move || store.count_all()).await
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
        filter: &audit_types::Filter,
        before_seq: Option<i64>,
        count: u32,
    ) -> Result<audit_types::Page, StoreError> {
        let (audit, filter) = (self.audit.clone(), filter.clone());
        blocking(move || audit.list(&filter, before_seq, count)).await
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let audit = self.audit.clone();
        blocking(move || audit.prune(before).map(|removed| removed as u64)).await
    }

    async fn create_session(&self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let sessions = self.sessions.clone();
        blocking(move || sessions.create(now)).await
    }

    async fn session_is_valid(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let (sessions, id) = (self.sessions.clone(), id.to_owned());
        blocking(move || sessions.is_valid(&id, now)).await
    }

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        let (sessions, id) = (self.sessions.clone(), id.to_owned());
        blocking(move || sessions.revoke(&id)).await
    }

    async fn create_token(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenStoreError> {
        let (tokens, name) = (self.tokens.clone(), name.to_owned());
        blocking(move || tokens.create(&name, role, now)).await
    }

    async fn find_token(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let (tokens, presented) = (self.tokens.clone(), presented.to_owned());
        blocking(move || tokens.find(&presented, now)).await
    }

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let tokens = self.tokens.clone();
        blocking(move || tokens.list()).await
    }

    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let (tokens, name) = (self.tokens.clone(), name.to_owned());
        blocking(move || tokens.revoke(&name)).await
    }
}

/// How many connections serve reads. In WAL mode readers never wait for the writer, so a
/// listing is not held up behind another request's fsync.
const READERS: usize = 4;

/// A cheap-to-clone handle, used from blocking threads: one writing connection and a few
/// reading ones.
#[derive(Clone)]
pub struct Store {
    /// Every change goes through the writer thread (group commit).
    writer: group_commit::Writer,
    readers: Arc<[Mutex<Connection>]>,
    next_reader: Arc<AtomicUsize>,
    organization_id: Arc<str>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- seq gives listings a stable order that new rows only ever extend.
CREATE TABLE IF NOT EXISTS invitations (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    email_key      TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    accepted_at_ms INTEGER,
    -- open: pending or expired; revoked: invalidated by an admin; superseded: expired and
    -- replaced by a newer invitation to the same address.
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'revoked', 'superseded')),
    closed_at_ms   INTEGER
);
-- The database, not the handler, guarantees one open invitation per address, so concurrent
-- creates for one new address yield one row and one refusal.
CREATE UNIQUE INDEX IF NOT EXISTS one_open_invitation_per_email
    ON invitations (email_key) WHERE state = 'open';
-- Lets a listing count pending (unexpired) invitations from the index alone.
CREATE INDEX IF NOT EXISTS open_invitations_by_expiry
    ON invitations (expires_at_ms) WHERE state = 'open';
-- How many invitations are open, kept by the database itself: counting them on every list
-- request cost a scan of every open row (2 ms at 30,000). A listing's total is this minus the
-- expired open ones, which the index above counts quickly (there are few). Created, and filled
-- from the rows already there, in one transaction with its triggers.
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS open_count (n INTEGER NOT NULL);
INSERT INTO open_count (n)
    SELECT COUNT(*) FROM invitations WHERE state = 'open'
    AND NOT EXISTS (SELECT 1 FROM open_count);
CREATE TRIGGER IF NOT EXISTS open_count_on_insert AFTER INSERT ON invitations
    WHEN NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_close AFTER UPDATE OF state ON invitations
    WHEN OLD.state = 'open' AND NEW.state <> 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_reopen AFTER UPDATE OF state ON invitations
    WHEN OLD.state <> 'open' AND NEW.state = 'open'
    BEGIN UPDATE open_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS open_count_on_delete AFTER DELETE ON invitations
    WHEN OLD.state = 'open'
    BEGIN UPDATE open_count SET n = n - 1; END;
COMMIT;
";

impl Store {
    /// Opens (or creates, readable by its owner only) the database file. Existing data is kept.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_connection(path, SCHEMA)?;
        conn.execute_batch(audit::SCHEMA)?;
        let organization_id = match conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'organization_id'",
                [],
                |row| row.get::<_, String>(0),
            )
            .optional()?
        {
            Some(id) => id,
            None => {
                let id = ids::organization_id();
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('organization_id', ?1)",
                    [&id],
                )?;
                id
            }
        };
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                reader.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Self {
            writer: group_commit::Writer::start(conn)?,
            readers: readers.into(),
            next_reader: Arc::new(AtomicUsize::new(0)),
            organization_id: organization_id.into(),
        })
    }

    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        unpoisoned(&self.readers[index])
    }

    /// Creates one invitation per address, in one transaction, each created at `now`.
    /// Addresses must already be validated. The result is in input order. With `audit`, the
    /// same transaction records each address's outcome, and the `refused` entries (what was
    /// refused before reaching the store): all of it is on disk, or none.
    pub fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let emails = emails.to_vec();
        let audit = audit.map(|(who, refused)| (who.clone(), refused.to_vec()));
        self.writer.write(move |tx| {
            let mut outcomes = Vec::with_capacity(emails.len());
            {
                let now_ms = now.timestamp_millis();
                let expires_ms = (now + INVITATION_LIFETIME).timestamp_millis();
                // An expired invitation no longer blocks a new one to the same address.
                let mut supersede = tx.prepare_cached(
                    "UPDATE invitations SET state = 'superseded', closed_at_ms = ?2
                     WHERE email_key = ?1 AND state = 'open' AND expires_at_ms <= ?2",
                )?;
                let mut insert = tx.prepare_cached(
                    "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for email in &emails {
                    let key = comparison_key(email);
                    supersede.execute(params![key, now_ms])?;
                    let id = ids::invitation_id();
                    match insert.execute(params![id, email, key, now_ms, expires_ms]) {
                        Ok(_) => outcomes.push(Ok(id)),
                        Err(err) if is_unique_violation(&err) => {
                            outcomes.push(Err(CreateRefusal::AlreadyPending))
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            if let Some((who, refused)) = &audit {
                for entry in refused {
                    audit::insert(tx, now, who, entry)?;
                }
                for (email, outcome) in emails.iter().zip(&outcomes) {
                    audit::insert(tx, now, who, &Entry::created(email, outcome))?;
                }
            }
            Ok(outcomes)
        })
    }

    /// One page in creation order, after the row `after_seq` (exclusive).
    pub fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, StoreError> {
        let mut conn = self.reader();
        // The page and the total come from one snapshot.
        let tx = conn.transaction()?;
        let now_ms = now.timestamp_millis();
        let include_expired = filter.include_expired;
        let email_key = text::storable_opt(filter.email_key.as_deref());
        let email_key = email_key.as_deref();
        let mut rows = tx.prepare_cached(
            "SELECT seq, id, email, created_at_ms, expires_at_ms, accepted_at_ms FROM invitations
             WHERE state = 'open' AND (?1 OR expires_at_ms > ?2) AND (?3 IS NULL OR email_key = ?3)
               AND seq > ?4
             ORDER BY seq LIMIT ?5",
        )?;
        let mut fetched = rows
            .query_map(
                params![
                    include_expired,
                    now_ms,
                    email_key,
                    after_seq,
                    i64::from(count) + 1
                ],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        invitation_from_row(&self.organization_id, row, 1)?,
                    ))
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let more = fetched.len() > count as usize;
        fetched.truncate(count as usize);
        let total: i64 = match email_key {
            // At most one open invitation per address: counting is cheap.
            Some(key) => tx
                .prepare_cached(
                    "SELECT COUNT(*) FROM invitations
                     WHERE state = 'open' AND (?1 OR expires_at_ms > ?2) AND email_key = ?3",
                )?
                .query_row(params![include_expired, now_ms, key], |row| row.get(0))?,
            None => {
                let open: i64 = tx
                    .prepare_cached("SELECT n FROM open_count")?
                    .query_row([], |row| row.get(0))?;
                let expired: i64 = if include_expired {
                    0
                } else {
                    tx.prepare_cached(
                        "SELECT COUNT(*) FROM invitations
                         WHERE state = 'open' AND expires_at_ms <= ?1",
                    )?
                    .query_row([now_ms], |row| row.get(0))?
                };
                open - expired
            }
        };
        drop(rows);
        tx.finish()?;
        Ok(Page {
            last_seq_if_more: if more {
                fetched.last().map(|(seq, _)| *seq)
            } else {
                None
            },
            invitations: fetched
                .into_iter()
                .map(|(_, invitation)| invitation)
                .collect(),
            total: total as u64,
        })
    }

    /// An open (pending or expired) invitation by id.
    pub fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        let conn = self.reader();
        let found = conn
            .prepare_cached(
                "SELECT id, email, created_at_ms, expires_at_ms, accepted_at_ms FROM invitations
                 WHERE id = ?1 AND state = 'open'",
            )?
            .query_row([id], |row| {
                invitation_from_row(&self.organization_id, row, 0)
            })
            .optional()?;
        Ok(found)
    }

    /// Revokes an open invitation and returns it as it was; `None` if there is none by that id.
    /// With `audit`, the same transaction records the outcome.
    pub fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (id, who, organization) = (id.to_owned(), audit.cloned(), self.organization_id.clone());
        self.writer.write(move |tx| {
            let found = tx
                .query_row(
                    "UPDATE invitations SET state = 'revoked', closed_at_ms = ?2
                     WHERE id = ?1 AND state = 'open'
                     RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                    params![id, now.timestamp_millis()],
                    |row| invitation_from_row(&organization, row, 0),
                )
                .optional()?;
            if let Some(who) = &who {
                let email = found.as_ref().map(|invitation| invitation.email.clone());
                audit::insert(tx, now, who, &Entry::on_id(Action::Invalidate, &id, email))?;
            }
            Ok(found)
        })
    }

    /// Replaces an open (pending or expired) invitation by a fresh one to the same address,
    /// created at `now`, in one transaction: the address is never without an invitation.
    /// Returns the new invitation; `None` if there is no open one by that id. With `audit`,
    /// the same transaction records a resend with both ids.
    pub fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (id, who, organization) = (id.to_owned(), audit.cloned(), self.organization_id.clone());
        self.writer.write(move |tx| {
            let replaced: Option<(String, String)> = tx
                .query_row(
                    "UPDATE invitations SET state = 'superseded', closed_at_ms = ?2
                     WHERE id = ?1 AND state = 'open'
                     RETURNING email, email_key",
                    params![id, now.timestamp_millis()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let fresh = match &replaced {
                Some((email, key)) => Some(
                    tx.prepare_cached(
                        "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                    )?
                    .query_row(
                        params![
                            ids::invitation_id(),
                            email,
                            key,
                            now.timestamp_millis(),
                            (now + INVITATION_LIFETIME).timestamp_millis()
                        ],
                        |row| invitation_from_row(&organization, row, 0),
                    )?,
                ),
                None => None,
            };
            if let Some(who) = &who {
                let email = replaced.as_ref().map(|(email, _)| email.clone());
                let entry = Entry::resent(&id, email, fresh.as_ref().map(|fresh| fresh.id.clone()));
                audit::insert(tx, now, who, &entry)?;
            }
            Ok(fresh)
        })
    }

    /// How many invitations were ever stored, whatever their state.
    pub fn count_all(&self) -> Result<u64, StoreError> {
        let total: i64 =
            self.reader()
                .query_row("SELECT COUNT(*) FROM invitations", [], |row| row.get(0))?;
        Ok(total as u64)
    }
}

/// Reads `id, email, created_at_ms, expires_at_ms, accepted_at_ms` starting at column `first`.
fn invitation_from_row(
    organization_id: &str,
    row: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<OrganizationInvitation> {
    Ok(OrganizationInvitation {
        id: row.get(first)?,
        email: row.get(first + 1)?,
        organization_id: organization_id.to_owned(),
        created_at: instant(row.get(first + 2)?),
        expires_at: instant(row.get(first + 3)?),
        accepted_at: row.get::<_, Option<i64>>(first + 4)?.map(instant),
    })
}

/// A writing connection to the database at `path` (created, private, if missing) with
/// `schema` in place: WAL with synchronous=FULL, so a commit is on disk before the API
/// acknowledges it.
fn open_connection(path: &Path, schema: &str) -> Result<Connection, StoreError> {
    create_private_file(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    schema_version::upgrade(&mut conn, path)?;
    conn.execute_batch(schema)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(list: &[&str]) -> Vec<String> {
        list.iter().map(|email| email.to_string()).collect()
    }

    /// The kept count of open invitations against a real count, through every kind of write,
    /// and for a file whose rows were there before the count was kept.
    #[test]
    fn the_listing_total_is_the_real_count_through_every_kind_of_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("count.sqlite3");
        {
            // A file from before the count: rows already in it.
            let conn = Connection::open(&path).unwrap();
            let schema = SCHEMA.split("BEGIN IMMEDIATE;").next().unwrap();
            conn.execute_batch(schema).unwrap();
            conn.execute_batch(
                "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                 VALUES ('orginv_x', 'x@x.com', 'x@x.com', 0, 1),
                        ('orginv_y', 'y@x.com', 'y@x.com', 0, 99999999999999);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let real = |include_expired: bool, now: DateTime<Utc>| -> u64 {
            let conn = Connection::open(&path).unwrap();
            conn.query_row(
                "SELECT COUNT(*) FROM invitations
                 WHERE state = 'open' AND (?1 OR expires_at_ms > ?2)",
                params![include_expired, now.timestamp_millis()],
                |row| row.get::<_, i64>(0),
            )
            .unwrap() as u64
        };
        let check = |store: &Store, what: &str| {
            let now = Utc::now();
            for include_expired in [false, true] {
                let filter = ListFilter {
                    include_expired,
                    ..Default::default()
                };
                assert_eq!(
                    store.list(&filter, 0, 5, now).unwrap().total,
                    real(include_expired, now),
                    "{what}, include_expired: {include_expired}"
                );
            }
        };
        check(&store, "a file from before the count");
        let long_ago = Utc::now() - chrono::TimeDelta::days(8);
        store
            .create_many(&emails(&["a@x.com", "b@x.com", "c@x.com"]), long_ago, None)
            .unwrap();
        check(&store, "expired ones created");
        let created = store
            .create_many(
                &emails(&["a@x.com", "d@x.com", "d@x.com"]),
                Utc::now(),
                None,
            )
            .unwrap();
        check(&store, "an expired one superseded, a duplicate refused");
        let d = created[1].clone().unwrap();
        store.invalidate(&d, Utc::now(), None).unwrap();
        store.invalidate(&d, Utc::now(), None).unwrap();
        check(&store, "revoked, twice");
        store.resend("orginv_y", Utc::now(), None).unwrap();
        check(&store, "resent");
        drop(store);
        check(&Store::open(&path).unwrap(), "reopened");
    }
}
