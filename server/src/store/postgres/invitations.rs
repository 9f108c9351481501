//! Invitations in PostgreSQL.

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::INVITATION_LIFETIME;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use super::PostgresBackend;
use super::audit::insert_audit;
use super::outbox;
use crate::ids;
use crate::limits::MOST_CONFLICT_RETRIES;
use crate::store::audit::{Action, Entry, Who};
use crate::store::backend::Rows;
use crate::store::outbox::Mail;
use crate::store::{CreateRefusal, ListFilter, StoreError, instant};

/// Reads `id, email, created_at_ms, expires_at_ms, accepted_at_ms` starting at column `first`.
pub(super) fn invitation_from_row(
    organization_id: &str,
    row: &Row,
    first: usize,
) -> OrganizationInvitation {
    OrganizationInvitation {
        id: row.get(first),
        email: row.get(first + 1),
        organization_id: organization_id.to_owned(),
        created_at: instant(row.get(first + 2)),
        expires_at: instant(row.get(first + 3)),
        accepted_at: row.get::<_, Option<i64>>(first + 4).map(instant),
        delivery: None,
    }
}

/// Whether PostgreSQL failed a transaction only to break a deadlock or a conflict: running it
/// again is right.
fn is_conflict(err: &StoreError) -> bool {
    matches!(err, StoreError::Postgres(err) if err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    }))
}

pub(super) async fn create_many(
    backend: &PostgresBackend,
    emails: &[String],
    now: DateTime<Utc>,
    audit: Option<(&Who, &[Entry])>,
    mail: Option<&Mail>,
) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
    let mut tries = 0;
    loop {
        match try_create_many(backend, emails, now, audit, mail).await {
            Err(err) if is_conflict(&err) && tries < MOST_CONFLICT_RETRIES => tries += 1,
            outcome => return outcome,
        }
    }
}

/// One attempt at [`create_many`].
async fn try_create_many(
    backend: &PostgresBackend,
    emails: &[String],
    now: DateTime<Utc>,
    audit: Option<(&Who, &[Entry])>,
    mail: Option<&Mail>,
) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let now_ms = now.timestamp_millis();
    let expires_ms = (now + INVITATION_LIFETIME).timestamp_millis();
    // An expired invitation no longer blocks a new one to the same address.
    let supersede = tx
        .prepare_cached(
            "UPDATE invitations SET state = 'superseded', closed_at_ms = $2
             WHERE email_key = $1 AND state = 'open' AND expires_at_ms <= $2",
        )
        .await?;
    // A pending one does: the unique index decides, also against other instances.
    let insert = tx
        .prepare_cached(
            "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms,
                                      locale, inviter)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (email_key) WHERE state = 'open' DO NOTHING
             RETURNING id",
        )
        .await?;
    let inviter = mail.and_then(|mail| mail.inviter.as_deref());
    // Addresses are taken in the order of their keys, so two requests for overlapping
    // addresses wait for each other in one order and never deadlock.
    let keys: Vec<String> = emails.iter().map(|email| comparison_key(email)).collect();
    let mut order: Vec<usize> = (0..emails.len()).collect();
    order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    let mut outcomes = vec![Err(CreateRefusal::AlreadyPending); emails.len()];
    for index in order {
        let key = &keys[index];
        tx.execute(&supersede, &[key, &now_ms]).await?;
        let id = ids::invitation_id();
        let locale = mail.map_or("en", |mail| mail.locale(index));
        let inserted = tx
            .query_opt(
                &insert,
                &[
                    &id,
                    &emails[index],
                    key,
                    &now_ms,
                    &expires_ms,
                    &locale,
                    &inviter,
                ],
            )
            .await?;
        if inserted.is_some() {
            if mail.is_some() {
                outbox::queue(&tx, &id, &emails[index], now).await?;
            }
            outcomes[index] = Ok(id);
        }
    }
    if let Some((who, refused)) = audit {
        for entry in refused {
            insert_audit(&tx, now, who, entry).await?;
        }
        for (email, outcome) in emails.iter().zip(&outcomes) {
            for entry in Entry::for_create(email, outcome, mail.is_some()) {
                insert_audit(&tx, now, who, &entry).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

pub(super) async fn list(
    backend: &PostgresBackend,
    filter: &ListFilter,
    after_seq: i64,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Rows<OrganizationInvitation>, StoreError> {
    let include_expired = filter.include_expired;
    let now_ms = now.timestamp_millis();
    let limit = i64::from(limit);
    let email_key = filter.email_key.as_deref();
    let mut parameters: Vec<&(dyn ToSql + Sync)> =
        vec![&include_expired, &now_ms, &after_seq, &limit];
    // One statement, so the page and the total come from one snapshot, in one round trip.
    // The total row comes even when the page is empty.
    let statement = match &email_key {
        None => {
            "WITH page AS (
                 SELECT i.seq, i.id, i.email, i.created_at_ms, i.expires_at_ms, i.accepted_at_ms,
                        o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
                 FROM invitations i LEFT JOIN outbox o
                   ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
                 WHERE i.state = 'open' AND i.seq > $3 AND ($1 OR i.expires_at_ms > $2)
                 ORDER BY i.seq LIMIT $4)
             SELECT (SELECT SUM(n) FROM open_count)::BIGINT - CASE WHEN $1 THEN 0 ELSE
                        (SELECT COUNT(*) FROM invitations
                         WHERE state = 'open' AND expires_at_ms <= $2) END,
                    page.*
             FROM (SELECT 1) AS total LEFT JOIN page ON true
             ORDER BY page.seq"
        }
        // At most one open invitation per address: counting is cheap.
        Some(key) => {
            parameters.push(key);
            "WITH page AS (
                 SELECT i.seq, i.id, i.email, i.created_at_ms, i.expires_at_ms, i.accepted_at_ms,
                        o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
                 FROM invitations i LEFT JOIN outbox o
                   ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
                 WHERE i.state = 'open' AND i.email_key = $5 AND i.seq > $3
                   AND ($1 OR i.expires_at_ms > $2)
                 ORDER BY i.seq LIMIT $4)
             SELECT (SELECT COUNT(*) FROM invitations
                     WHERE state = 'open' AND email_key = $5
                       AND ($1 OR expires_at_ms > $2)),
                    page.*
             FROM (SELECT 1) AS total LEFT JOIN page ON true
             ORDER BY page.seq"
        }
    };
    let client = backend.client().await?;
    let statement = client.prepare_cached(statement).await?;
    let rows = client.query(&statement, &parameters).await?;
    let total: i64 = rows.first().map_or(0, |row| row.get(0));
    Ok(Rows {
        rows: rows
            .iter()
            .filter_map(|row| {
                let seq = row.get::<_, Option<i64>>(1)?;
                let mut invitation = invitation_from_row(&backend.organization_id, row, 2);
                invitation.delivery = outbox::delivery_from_row(row, 7);
                Some((seq, invitation))
            })
            .collect(),
        total: total.max(0) as u64,
    })
}

pub(super) async fn get(
    backend: &PostgresBackend,
    id: &str,
    any_state: bool,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let client = backend.client().await?;
    let statement = client
        .prepare_cached(if any_state { GET_ANY_STATE } else { GET })
        .await?;
    Ok(client.query_opt(&statement, &[&id]).await?.map(|row| {
        let mut invitation = invitation_from_row(&backend.organization_id, &row, 0);
        invitation.delivery = outbox::delivery_from_row(&row, 5);
        invitation
    }))
}

/// An invitation whatever its state, read in `tx` (the body of an event about it).
pub(super) async fn any_state_in(
    tx: &deadpool_postgres::Transaction<'_>,
    organization: &str,
    id: &str,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let statement = tx.prepare_cached(GET_ANY_STATE).await?;
    Ok(tx.query_opt(&statement, &[&id]).await?.map(|row| {
        let mut invitation = invitation_from_row(organization, &row, 0);
        invitation.delivery = outbox::delivery_from_row(&row, 5);
        invitation
    }))
}

/// An invitation that is open or accepted, with its mail's delivery.
const GET: &str = "SELECT i.id, i.email, i.created_at_ms, i.expires_at_ms, i.accepted_at_ms,
            o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
     FROM invitations i LEFT JOIN outbox o
       ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
     WHERE i.id = $1 AND i.state IN ('open', 'accepted')";

/// An invitation whatever its state (for the body of an event about it).
const GET_ANY_STATE: &str = "SELECT i.id, i.email, i.created_at_ms, i.expires_at_ms,
            i.accepted_at_ms, o.state, o.attempts, o.last_attempt_at_ms, o.answer, o.kind
     FROM invitations i LEFT JOIN outbox o
       ON o.seq = (SELECT MAX(seq) FROM outbox WHERE invitation_id = i.id)
     WHERE i.id = $1";

pub(super) async fn invalidate(
    backend: &PostgresBackend,
    id: &str,
    now: DateTime<Utc>,
    audit: Option<&Who>,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let delivery = outbox::delivery_of(&tx, id).await?;
    let found = tx
        .query_opt(
            "UPDATE invitations SET state = 'revoked', closed_at_ms = $2
             WHERE id = $1 AND state = 'open'
             RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
            &[&id, &now.timestamp_millis()],
        )
        .await?
        .map(|row| OrganizationInvitation {
            delivery,
            ..invitation_from_row(&backend.organization_id, &row, 0)
        });
    outbox::withdraw(&tx, id).await?;
    if let Some(who) = audit {
        let email = found.as_ref().map(|invitation| invitation.email.clone());
        insert_audit(&tx, now, who, &Entry::on_id(Action::Invalidate, id, email)).await?;
    }
    tx.commit().await?;
    Ok(found)
}

pub(super) async fn resend(
    backend: &PostgresBackend,
    id: &str,
    now: DateTime<Utc>,
    audit: Option<&Who>,
    mail: bool,
) -> Result<Option<OrganizationInvitation>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let replaced = tx
        .query_opt(
            "UPDATE invitations SET state = 'superseded', closed_at_ms = $2
             WHERE id = $1 AND state = 'open'
             RETURNING email, email_key, locale, inviter",
            &[&id, &now.timestamp_millis()],
        )
        .await?
        .map(|row| {
            (
                row.get::<_, String>(0),
                row.get::<_, String>(1),
                row.get::<_, String>(2),
                row.get::<_, Option<String>>(3),
            )
        });
    outbox::withdraw(&tx, id).await?;
    let fresh = match &replaced {
        Some((email, key, locale, inviter)) => {
            let row = tx
                .query_one(
                    "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms,
                                              locale, inviter)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                    &[
                        &ids::invitation_id(),
                        email,
                        key,
                        &now.timestamp_millis(),
                        &(now + INVITATION_LIFETIME).timestamp_millis(),
                        locale,
                        inviter,
                    ],
                )
                .await?;
            let mut fresh = invitation_from_row(&backend.organization_id, &row, 0);
            if mail {
                fresh.delivery = Some(outbox::queue(&tx, &fresh.id, email, now).await?);
            }
            Some(fresh)
        }
        None => None,
    };
    if let Some(who) = audit {
        let email = replaced.as_ref().map(|(email, ..)| email.clone());
        let fresh_id = fresh.as_ref().map(|fresh| fresh.id.clone());
        for entry in Entry::for_resend(id, email, fresh_id, mail) {
            insert_audit(&tx, now, who, &entry).await?;
        }
    }
    tx.commit().await?;
    Ok(fresh)
}

pub(super) async fn count_all(backend: &PostgresBackend) -> Result<u64, StoreError> {
    let total: i64 = backend
        .client()
        .await?
        .query_one("SELECT COUNT(*) FROM invitations", &[])
        .await?
        .get(0);
    Ok(total as u64)
}
