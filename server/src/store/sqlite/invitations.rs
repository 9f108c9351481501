//! Invitations in SQLite: one writing connection behind the group-commit thread, and a few
//! reading ones, so a listing never waits behind another request's fsync.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::INVITATION_LIFETIME;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{audit, group_commit, is_unique_violation, open_connection, unpoisoned};
use crate::ids;
use crate::limits::SQLITE_READERS;
use crate::store::audit::{Action, Entry, Who};
use crate::store::backend::Rows;
use crate::store::{CreateRefusal, ListFilter, StoreError, instant};

/// A cheap-to-clone handle, used from blocking threads: one writing connection and a few
/// reading ones.
#[derive(Clone)]
pub struct Invitations {
    /// Every change goes through the writer thread (group commit).
    writer: group_commit::Writer,
    readers: Arc<[Mutex<Connection>]>,
    next_reader: Arc<AtomicUsize>,
    organization_id: Arc<str>,
}

impl Invitations {
    /// Opens (or creates, readable by its owner only) the database file. Existing data is kept.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_connection(path)?;
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

    /// Creates one invitation per address, in one transaction (see
    /// [`crate::store::Backend::create_many`]): all of it is on disk, or none.
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

    /// Open invitations in creation order after the row `after_seq` (exclusive), at most
    /// `limit`, and the total, from one snapshot.
    pub fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Rows<OrganizationInvitation>, StoreError> {
        let mut conn = self.reader();
        let tx = conn.transaction()?;
        let now_ms = now.timestamp_millis();
        let include_expired = filter.include_expired;
        let email_key = filter.email_key.as_deref();
        let rows = tx
            .prepare_cached(
                "SELECT seq, id, email, created_at_ms, expires_at_ms, accepted_at_ms FROM invitations
                 WHERE state = 'open' AND (?1 OR expires_at_ms > ?2) AND (?3 IS NULL OR email_key = ?3)
                   AND seq > ?4
                 ORDER BY seq LIMIT ?5",
            )?
            .query_map(
                params![include_expired, now_ms, email_key, after_seq, limit],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        invitation_from_row(&self.organization_id, row, 1)?,
                    ))
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
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
        tx.finish()?;
        Ok(Rows {
            rows,
            total: total.max(0) as u64,
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

    /// Revokes an open invitation and returns it as it was, with its audit record.
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

    /// Replaces an open invitation by a fresh one to the same address, with its audit record.
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

    /// The schema version the file holds (`user_version`), read on a reading connection.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        crate::store::sqlite::schema::applied(&self.reader())
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
            conn.execute_batch(include_str!(
                "../../../migrations/sqlite/V1__invitations_audit_sessions_tokens.sql"
            ))
            .unwrap();
            conn.execute_batch(
                "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                 VALUES ('orginv_x', 'x@x.com', 'x@x.com', 0, 1),
                        ('orginv_y', 'y@x.com', 'y@x.com', 0, 99999999999999);",
            )
            .unwrap();
        }
        let store = Invitations::open(&path).unwrap();
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
        let check = |store: &Invitations, what: &str| {
            let now = Utc::now();
            for include_expired in [false, true] {
                let filter = ListFilter {
                    include_expired,
                    ..Default::default()
                };
                assert_eq!(
                    store.list(&filter, 0, 6, now).unwrap().total,
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
        check(&Invitations::open(&path).unwrap(), "reopened");
    }
}
