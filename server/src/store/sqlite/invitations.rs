//! Invitations in SQLite: what each operation does, given a connection by
//! [`super::SqliteBackend`] (a reading one, or the writer's shared transaction).

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::INVITATION_LIFETIME;
use rusqlite::{Connection, OptionalExtension, params};

use super::{audit, is_unique_violation, outbox};
use crate::ids;
use crate::store::audit::{Action, Entry, Who};
use crate::store::backend::Rows;
use crate::store::outbox::Mail;
use crate::store::{CreateRefusal, ListFilter, StoreError, instant};

/// The organization's id, made and kept in `meta` the first time the file is opened.
pub fn organization_id(conn: &Connection) -> Result<String, StoreError> {
    let kept = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'organization_id'",
            [],
            |row| row.get::<_, String>(0),
        )
        .optional()?;
    if let Some(id) = kept {
        return Ok(id);
    }
    let id = ids::organization_id();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('organization_id', ?1)",
        [&id],
    )?;
    Ok(id)
}

/// Creates one invitation per address, in one transaction (see
/// [`crate::store::Backend::create_many`]): all of it is on disk, or none.
pub fn create_many(
    tx: &Connection,
    emails: &[String],
    now: DateTime<Utc>,
    audit: Option<(&Who, &[Entry])>,
    mail: Option<&Mail>,
) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
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
            "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms,
                                      locale, inviter)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let inviter = mail.and_then(|mail| mail.inviter.as_deref());
        for (index, email) in emails.iter().enumerate() {
            let locale = mail.map_or("en", |mail| mail.locale(index));
            let key = comparison_key(email);
            supersede.execute(params![key, now_ms])?;
            let id = ids::invitation_id();
            match insert.execute(params![id, email, key, now_ms, expires_ms, locale, inviter]) {
                Ok(_) => {
                    if mail.is_some() {
                        outbox::queue(tx, &id, email, now)?;
                    }
                    outcomes.push(Ok(id))
                }
                Err(err) if is_unique_violation(&err) => {
                    outcomes.push(Err(CreateRefusal::AlreadyPending))
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
    if let Some((who, refused)) = audit {
        for entry in refused {
            audit::insert(tx, now, who, entry)?;
        }
        for (email, outcome) in emails.iter().zip(&outcomes) {
            for entry in Entry::for_create(email, outcome, mail.is_some()) {
                audit::insert(tx, now, who, &entry)?;
            }
        }
    }
    Ok(outcomes)
}

/// Open invitations in creation order after the row `after_seq` (exclusive), at most
/// `limit`, and the total, from one snapshot.
pub fn list(
    conn: &mut Connection,
    organization_id: &str,
    filter: &ListFilter,
    after_seq: i64,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Rows<OrganizationInvitation>, StoreError> {
    let tx = conn.transaction()?;
    let now_ms = now.timestamp_millis();
    let include_expired = filter.include_expired;
    let email_key = filter.email_key.as_deref();
    let rows = tx
        .prepare_cached(
            "SELECT i.seq, i.id, i.email, i.created_at_ms, i.expires_at_ms, i.accepted_at_ms,
                    o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
             FROM invitations i LEFT JOIN outbox o
               ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
             WHERE i.state = 'open' AND (?1 OR i.expires_at_ms > ?2)
               AND (?3 IS NULL OR i.email_key = ?3) AND i.seq > ?4
             ORDER BY i.seq LIMIT ?5",
        )?
        .query_map(
            params![include_expired, now_ms, email_key, after_seq, limit],
            |row| {
                let mut invitation = invitation_from_row(organization_id, row, 1)?;
                invitation.delivery = outbox::delivery_from_row(row, 6)?;
                Ok((row.get::<_, i64>(0)?, invitation))
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

/// An open (pending or expired) or accepted invitation by id.
pub fn get(
    conn: &Connection,
    organization_id: &str,
    id: &str,
    any_state: bool,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let found = conn
        .prepare_cached(if any_state { GET_ANY_STATE } else { GET })?
        .query_row([id], |row| {
            let mut invitation = invitation_from_row(organization_id, row, 0)?;
            invitation.delivery = outbox::delivery_from_row(row, 5)?;
            Ok(invitation)
        })
        .optional()?;
    Ok(found)
}

/// An invitation that is open or accepted, with its mail's delivery.
const GET: &str = "SELECT i.id, i.email, i.created_at_ms, i.expires_at_ms, i.accepted_at_ms,
            o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
     FROM invitations i LEFT JOIN outbox o
       ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
     WHERE i.id = ?1 AND i.state IN ('open', 'accepted')";

/// An invitation whatever its state (for the body of an event about it).
const GET_ANY_STATE: &str = "SELECT i.id, i.email, i.created_at_ms, i.expires_at_ms,
            i.accepted_at_ms, o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
     FROM invitations i LEFT JOIN outbox o
       ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
     WHERE i.id = ?1";

/// Revokes an open invitation and returns it as it was, with its audit record.
pub fn invalidate(
    tx: &Connection,
    organization: &str,
    id: &str,
    now: DateTime<Utc>,
    who: Option<&Who>,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let delivery = outbox::delivery_of(tx, id)?;
    let found = tx
        .query_row(
            "UPDATE invitations SET state = 'revoked', closed_at_ms = ?2
             WHERE id = ?1 AND state = 'open'
             RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
            params![id, now.timestamp_millis()],
            |row| invitation_from_row(organization, row, 0),
        )
        .optional()?
        .map(|invitation| OrganizationInvitation {
            delivery,
            ..invitation
        });
    outbox::withdraw(tx, id)?;
    if let Some(who) = who {
        let email = found.as_ref().map(|invitation| invitation.email.clone());
        audit::insert(tx, now, who, &Entry::on_id(Action::Invalidate, id, email))?;
    }
    Ok(found)
}

/// Replaces an open invitation by a fresh one to the same address, with its audit record.
pub fn resend(
    tx: &Connection,
    organization: &str,
    id: &str,
    now: DateTime<Utc>,
    who: Option<&Who>,
    mail: bool,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let replaced: Option<(String, String, String, Option<String>)> = tx
        .query_row(
            "UPDATE invitations SET state = 'superseded', closed_at_ms = ?2
             WHERE id = ?1 AND state = 'open'
             RETURNING email, email_key, locale, inviter",
            params![id, now.timestamp_millis()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    outbox::withdraw(tx, id)?;
    let fresh = match &replaced {
        Some((email, key, locale, inviter)) => {
            let mut fresh = tx
                .prepare_cached(
                    "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms,
                                              locale, inviter)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                )?
                .query_row(
                    params![
                        ids::invitation_id(),
                        email,
                        key,
                        now.timestamp_millis(),
                        (now + INVITATION_LIFETIME).timestamp_millis(),
                        locale,
                        inviter
                    ],
                    |row| invitation_from_row(organization, row, 0),
                )?;
            if mail {
                fresh.delivery = Some(outbox::queue(tx, &fresh.id, email, now)?);
            }
            Some(fresh)
        }
        None => None,
    };
    if let Some(who) = who {
        let email = replaced.as_ref().map(|(email, ..)| email.clone());
        let fresh_id = fresh.as_ref().map(|fresh| fresh.id.clone());
        for entry in Entry::for_resend(id, email, fresh_id, mail) {
            audit::insert(tx, now, who, &entry)?;
        }
    }
    Ok(fresh)
}

/// How many invitations were ever stored, whatever their state.
pub fn count_all(conn: &Connection) -> Result<u64, StoreError> {
    let total: i64 = conn.query_row("SELECT COUNT(*) FROM invitations", [], |row| row.get(0))?;
    Ok(total as u64)
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
        delivery: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backend::Backend;
    use crate::store::sqlite::SqliteBackend;

    fn emails(list: &[&str]) -> Vec<String> {
        list.iter().map(|email| email.to_string()).collect()
    }

    /// The kept count of open invitations against a real count, through every kind of write,
    /// and for a file whose rows were there before the count was kept.
    #[tokio::test]
    async fn the_listing_total_is_the_real_count_through_every_kind_of_write() {
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
        let store = SqliteBackend::open(&path).unwrap();
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
        async fn check(
            store: &SqliteBackend,
            real: impl Fn(bool, DateTime<Utc>) -> u64,
            what: &str,
        ) {
            let now = Utc::now();
            for include_expired in [false, true] {
                let filter = ListFilter {
                    include_expired,
                    ..Default::default()
                };
                assert_eq!(
                    store.list(&filter, 0, 6, now).await.unwrap().total,
                    real(include_expired, now),
                    "{what}, include_expired: {include_expired}"
                );
            }
        }
        check(&store, &real, "a file from before the count").await;
        let long_ago = Utc::now() - chrono::TimeDelta::days(8);
        store
            .create_many(
                &emails(&["a@x.com", "b@x.com", "c@x.com"]),
                long_ago,
                None,
                None,
            )
            .await
            .unwrap();
        check(&store, &real, "expired ones created").await;
        let created = store
            .create_many(
                &emails(&["a@x.com", "d@x.com", "d@x.com"]),
                Utc::now(),
                None,
                None,
            )
            .await
            .unwrap();
        check(
            &store,
            &real,
            "an expired one superseded, a duplicate refused",
        )
        .await;
        let d = created[1].clone().unwrap();
        store.invalidate(&d, Utc::now(), None).await.unwrap();
        store.invalidate(&d, Utc::now(), None).await.unwrap();
        check(&store, &real, "revoked, twice").await;
        store
            .resend("orginv_y", Utc::now(), None, false)
            .await
            .unwrap();
        check(&store, &real, "resent").await;
        drop(store);
        check(&SqliteBackend::open(&path).unwrap(), &real, "reopened").await;
    }
}
