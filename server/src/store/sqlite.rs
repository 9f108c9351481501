//! The store's backend in one SQLite file of the data folder, the default. All of SQLite's
//! SQL lives in this module, as functions of a connection: invitations in `invitations`, the
//! audit trail in `audit`, browser sessions in `sessions`, named tokens in `tokens`, the schema
//! in `schema`. rusqlite is synchronous: [`SqliteBackend`] runs each operation as a closure on
//! a connection on a blocking thread (a reading connection, or the writer's shared
//! transaction), so an fsync never stalls the async workers.

mod answers;
mod audit;
mod backup;
mod group_commit;
mod invitations;
mod outbox;
mod schema;
mod sessions;
mod tokens;
mod webhooks;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::wire::AuditRecord;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::answers::{Answer, Linked};
use super::audit::{Entry, Filter, Who};
use super::backend::{Backend, Rows, StoredToken, TokenRow};
use super::outbox::{ClaimLimits, ClaimedRow, Mail, Settled};
use super::webhooks::{ClaimedDelivery, Endpoint, Event as WebhookEvent, Settlement};
use super::{CreateRefusal, ListFilter, StoreError};
use crate::limits::SQLITE_READERS;
use org_invitations_core::role::Role;
use org_invitations_core::webhook::{Webhook, WebhookDelivery};

pub use backup::backup;

/// Everything in one SQLite file: the [`Backend`] of a single instance. Every operation runs
/// one way: as a closure on a connection, on a blocking thread ([`SqliteBackend::read`] on one
/// of a few reading connections, [`SqliteBackend::write`] in the writer's next shared
/// transaction), so the backend's methods below say only which closure.
#[derive(Clone)]
pub struct SqliteBackend {
    path: PathBuf,
    organization_id: Arc<str>,
    /// Every change goes through the writer thread (group commit).
    writer: group_commit::Writer,
    /// Reads never wait behind a write's fsync (WAL).
    readers: Arc<[Mutex<Connection>]>,
    next_reader: Arc<AtomicUsize>,
}

impl SqliteBackend {
    /// Opens (or creates, readable by its owner only) the database file. Existing data is kept;
    /// an older file is upgraded, a newer one refused.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_connection(path)?;
        let organization_id = invitations::organization_id(&conn)?;
        let readers = (0..SQLITE_READERS)
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
            path: path.to_owned(),
            organization_id: organization_id.into(),
            writer: group_commit::Writer::start(conn)?,
            readers: readers.into(),
            next_reader: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `work` on a reading connection (the next of a few, in turn) on a blocking thread;
    /// `work` is given the organization's id too.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let this = self.clone();
        blocking(move || {
            let index = this.next_reader.fetch_add(1, Ordering::Relaxed) % this.readers.len();
            work(&mut unpoisoned(&this.readers[index]), &this.organization_id)
        })
        .await
    }

    /// Runs `work` in the writer's next shared transaction (on disk before this returns), on
    /// a blocking thread; `work` is given the organization's id too.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (writer, organization_id) = (self.writer.clone(), self.organization_id.clone());
        blocking(move || writer.write(move |tx| work(tx, &organization_id))).await
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

#[async_trait::async_trait]
impl Backend for SqliteBackend {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|conn, _| schema::applied(conn)).await
    }

    fn known_schema_version(&self) -> i64 {
        schema::current()
    }

    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
        mail: Option<&Mail>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let (emails, mail) = (emails.to_vec(), mail.cloned());
        let audit = audit.map(|(who, refused)| (who.clone(), refused.to_vec()));
        self.write(move |tx, _| {
            let audit = audit
                .as_ref()
                .map(|(who, refused)| (who, refused.as_slice()));
            invitations::create_many(tx, &emails, now, audit, mail.as_ref())
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
        let filter = filter.clone();
        self.read(move |conn, organization| {
            invitations::list(conn, organization, &filter, after_seq, limit, now)
        })
        .await
    }

    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn, organization| invitations::get(conn, organization, &id, false))
            .await
    }

    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (id, who) = (id.to_owned(), audit.cloned());
        self.write(move |tx, organization| {
            invitations::invalidate(tx, organization, &id, now, who.as_ref())
        })
        .await
    }

    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
        mail: bool,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let (id, who) = (id.to_owned(), audit.cloned());
        self.write(move |tx, organization| {
            invitations::resend(tx, organization, &id, now, who.as_ref(), mail)
        })
        .await
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limits: &ClaimLimits,
    ) -> Result<Vec<ClaimedRow>, StoreError> {
        let limits = limits.clone();
        self.write(move |tx, _| outbox::claim(tx, now, lease_until, &limits))
            .await
    }

    async fn mail_attempted_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.read(move |conn, _| outbox::attempted_since(conn, since))
            .await
    }

    async fn mail_to_hold(&self, now: DateTime<Utc>, why: &str) -> Result<bool, StoreError> {
        let why = why.to_owned();
        self.read(move |conn, _| outbox::to_hold(conn, now, &why))
            .await
    }

    async fn hold_mail(
        &self,
        now: DateTime<Utc>,
        why: &str,
        crowded: Option<(u32, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        let why = why.to_owned();
        self.write(move |tx, _| outbox::hold(tx, now, &why, crowded))
            .await
    }

    async fn set_link(
        &self,
        invitation_id: &str,
        link_hash: &str,
        reminder: bool,
    ) -> Result<bool, StoreError> {
        let (invitation_id, link_hash) = (invitation_id.to_owned(), link_hash.to_owned());
        self.write(move |tx, _| outbox::set_link(tx, &invitation_id, &link_hash, reminder))
            .await
    }

    async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        before: chrono::TimeDelta,
        who: &Who,
    ) -> Result<u64, StoreError> {
        // Read first: a worker looking twice a second with none due writes nothing.
        if !self
            .read(move |conn, _| outbox::any_reminder_due(conn, now, before))
            .await?
        {
            return Ok(0);
        }
        let who = who.clone();
        self.write(move |tx, _| outbox::queue_reminders(tx, now, before, &who))
            .await
    }

    async fn settle_mail(
        &self,
        seq: i64,
        settled: &Settled,
        audit: Option<(&Who, &Entry)>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let settled = settled.clone();
        let audit = audit.map(|(who, entry)| (who.clone(), entry.clone()));
        self.write(move |tx, _| {
            outbox::settle(tx, seq, &settled)?;
            if let Some((who, entry)) = &audit {
                audit::insert(tx, at, who, entry)?;
            }
            Ok(())
        })
        .await
    }

    async fn by_link(&self, link_hash: &str) -> Result<Option<Linked>, StoreError> {
        let link_hash = link_hash.to_owned();
        self.read(move |conn, _| answers::by_link(conn, &link_hash))
            .await
    }

    async fn answer(
        &self,
        link_hash: &str,
        answer: Answer,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<Linked>, StoreError> {
        let link_hash = link_hash.to_owned();
        let who = who.clone();
        self.write(move |tx, _| answers::answer(tx, &link_hash, answer, now, &who))
            .await
    }

    async fn replace_link(
        &self,
        id: &str,
        link_hash: &str,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<bool>, StoreError> {
        let (id, link_hash, who) = (id.to_owned(), link_hash.to_owned(), who.clone());
        self.write(move |tx, _| answers::replace_link(tx, &id, &link_hash, now, &who))
            .await
    }

    async fn add_webhook(
        &self,
        endpoint: &Endpoint,
        who: &Who,
        entry: &Entry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (endpoint, who, entry) = (endpoint.clone(), who.clone(), entry.clone());
        self.write(move |tx, _| webhooks::add(tx, &endpoint, &who, &entry, now))
            .await
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.read(|conn, _| webhooks::list(conn)).await
    }

    async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: DateTime<Utc>,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        let (id, secret, who) = (id.to_owned(), secret.to_owned(), who.clone());
        self.write(move |tx, _| webhooks::rotate(tx, &id, &secret, previous_until, &who, now))
            .await
    }

    async fn delete_webhook(
        &self,
        id: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        let (id, who) = (id.to_owned(), who.clone());
        self.write(move |tx, _| webhooks::delete(tx, &id, &who, now))
            .await
    }

    async fn pause_webhook(
        &self,
        id: &str,
        paused: bool,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        let (id, who) = (id.to_owned(), who.clone());
        self.write(move |tx, _| webhooks::pause(tx, &id, paused, &who, now))
            .await
    }

    async fn queue_webhook_event(
        &self,
        id: &str,
        event: &WebhookEvent,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (id, event) = (id.to_owned(), event.clone());
        self.write(move |tx, _| Ok(webhooks::queue(tx, Some(&id), &event, now)? > 0))
            .await
    }

    async fn redeliver_webhook(
        &self,
        id: &str,
        seq: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |tx, _| webhooks::redeliver(tx, &id, seq, now))
            .await
    }

    async fn webhook_deliveries(
        &self,
        id: &str,
        limit: u32,
    ) -> Result<Option<Vec<WebhookDelivery>>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn, _| webhooks::deliveries(conn, &id, limit))
            .await
    }

    async fn note_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        // Read first: a worker looking twice a second with nothing expired writes nothing.
        if !self
            .read(move |conn, _| webhooks::any_unnoted_expiry(conn, now))
            .await?
        {
            return Ok(0);
        }
        self.write(move |tx, _| webhooks::note_expired(tx, now))
            .await
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        count: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        if !self
            .read(move |conn, _| webhooks::any_due(conn, now))
            .await?
        {
            return Ok(Vec::new());
        }
        self.write(move |tx, organization| {
            webhooks::claim(tx, organization, now, lease_until, count)
        })
        .await
    }

    async fn settle_webhook_delivery(
        &self,
        seq: i64,
        endpoint_id: &str,
        settlement: &Settlement,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (endpoint_id, settlement, who) =
            (endpoint_id.to_owned(), settlement.clone(), who.clone());
        self.write(move |tx, _| webhooks::settle(tx, seq, &endpoint_id, &settlement, &who, now))
            .await
    }

    async fn prune_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.write(move |tx, _| webhooks::prune(tx, before)).await
    }

    async fn count_all(&self) -> Result<u64, StoreError> {
        self.read(|conn, _| invitations::count_all(conn)).await
    }

    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError> {
        let (who, entries) = (who.clone(), entries.to_vec());
        self.write(move |tx, _| audit::record(tx, at, &who, &entries))
            .await
    }

    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
        let outcomes = outcomes.to_vec();
        self.write(move |tx, _| audit::complete(tx, &outcomes))
            .await
    }

    async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Rows<AuditRecord>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn, _| audit::list(conn, &filter, before_seq, limit))
            .await
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.write(move |tx, _| audit::prune(tx, before).map(|removed| removed as u64))
            .await
    }

    async fn insert_session(
        &self,
        id_hash: &str,
        generation: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (id_hash, generation) = (id_hash.to_owned(), generation.to_owned());
        self.write(move |tx, _| sessions::insert(tx, &id_hash, &generation, created, expires))
            .await
    }

    async fn session_exists(
        &self,
        id_hash: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (id_hash, generation) = (id_hash.to_owned(), generation.to_owned());
        self.read(move |conn, _| sessions::exists(conn, &id_hash, &generation, now))
            .await
    }

    async fn delete_all_sessions(&self) -> Result<u64, StoreError> {
        self.write(|tx, _| sessions::delete_all(tx)).await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let id_hash = id_hash.to_owned();
        self.write(move |tx, _| sessions::delete(tx, &id_hash))
            .await
    }

    async fn insert_token(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (name, token_hash) = (name.to_owned(), token_hash.to_owned());
        self.write(move |tx, _| tokens::insert(tx, &name, role, &token_hash, now))
            .await
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn, _| tokens::by_hash(conn, &token_hash))
            .await
    }

    async fn touch_token(
        &self,
        name: &str,
        now: DateTime<Utc>,
        unless_noted_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.write(move |tx, _| tokens::touch(tx, &name, now, unless_noted_after))
            .await
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        self.read(|conn, _| tokens::list(conn)).await
    }

    async fn delete_token(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.write(move |tx, _| tokens::delete(tx, &name)).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_audit_outcome_is_given_once_and_never_edited() {
        use crate::store::audit::Action;
        use crate::store::contract_tests::{entry, who};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let log = SqliteBackend::open(&path).unwrap();
        let status = || async {
            log.audit_list(&Filter::default(), None, 1)
                .await
                .unwrap()
                .rows[0]
                .1
                .status
        };
        let seqs = log
            .record(
                Utc::now(),
                &who("owner"),
                &[entry(Action::Invalidate, "a@x.com", None)],
            )
            .await
            .unwrap();
        assert_eq!(status().await, None);
        let done = entry(Action::Invalidate, "a@x.com", Some(200));
        log.complete(&[(seqs[0], done)]).await.unwrap();
        assert_eq!(status().await, Some(200));
        // Completing again changes nothing; a direct edit is refused by the database.
        let again = entry(Action::Invalidate, "a@x.com", Some(500));
        log.complete(&[(seqs[0], again)]).await.unwrap();
        assert_eq!(status().await, Some(200));
        let conn = Connection::open(&path).unwrap();
        let edit = conn.execute("UPDATE audit SET actor = 'someone else'", []);
        assert!(edit.unwrap_err().to_string().contains("append-only"));
    }

    #[tokio::test]
    async fn a_task_that_stops_short_says_so_not_that_a_change_was_lost() {
        let stopped = blocking::<()>(|| panic!("a bug in a read"))
            .await
            .unwrap_err();
        assert!(matches!(stopped, StoreError::TaskFailed(_)), "{stopped:?}");
        assert!(!stopped.to_string().contains("not saved"), "{stopped}");
    }
}
