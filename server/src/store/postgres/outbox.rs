//! The outbox in PostgreSQL (see [`crate::store::outbox`] for the policy). Several instances
//! share it: a claim locks the rows it takes and skips those another has locked (`FOR UPDATE
//! SKIP LOCKED`), and leases them, so one message is never sent by two instances at once and
//! one claimed by an instance that crashed is taken again once its lease runs out.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::Delivery;
use tokio_postgres::Row;

use super::PostgresBackend;
use super::audit::insert_audit;
use crate::store::audit::{Entry, Who};
use crate::store::outbox::{self, ClaimLimits, ClaimedRow, Settled};
use crate::store::{StoreError, instant};

/// Queues the mail of a just-created invitation, due at `now`; returns its delivery as shown.
pub(super) async fn queue(
    tx: &Transaction<'_>,
    invitation_id: &str,
    recipient: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    queue_kind(tx, invitation_id, recipient, now, "invitation").await?;
    Ok(outbox::queued())
}

/// Queues a message of `kind` (`invitation` or `reminder`), due at `now`.
async fn queue_kind(
    tx: &Transaction<'_>,
    invitation_id: &str,
    recipient: &str,
    now: DateTime<Utc>,
    kind: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO outbox (invitation_id, recipient, recipient_key, created_at_ms,
                             next_attempt_at_ms, kind)
         VALUES ($1, $2, $3, $4, $4, $5)",
        &[
            &invitation_id,
            &recipient,
            &comparison_key(recipient),
            &now.timestamp_millis(),
            &kind,
        ],
    )
    .await?;
    Ok(())
}

/// Open, unreminded, expiring after `$1` and by `$2`, its own mail sent or written.
const REMINDER_DUE: &str = "state = 'open' AND reminded_at_ms IS NULL
       AND expires_at_ms > $1 AND expires_at_ms <= $2
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.invitation_id = invitations.id
                   AND o.kind = 'invitation' AND o.state IN ('sent', 'written'))";

/// Queues the reminders due (see [`crate::store::backend::Backend::queue_reminders`]): read
/// first, so a worker looking twice a second with none due writes nothing; invitations another
/// transaction holds (another instance reminding them, a change) are skipped, never waited for
/// in an order of their own, and looked at again next time.
pub(super) async fn queue_reminders(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
    before: chrono::TimeDelta,
    who: &Who,
) -> Result<u64, StoreError> {
    let bounds = [now.timestamp_millis(), (now + before).timestamp_millis()];
    let mut client = backend.client().await?;
    if client
        .query_opt(
            &format!("SELECT 1 FROM invitations WHERE {REMINDER_DUE} LIMIT 1"),
            &[&bounds[0], &bounds[1]],
        )
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let tx = client.transaction().await?;
    let due: Vec<(String, String)> = tx
        .query(
            &format!(
                "UPDATE invitations SET reminded_at_ms = $1
                 WHERE id IN (SELECT id FROM invitations WHERE {REMINDER_DUE}
                              FOR UPDATE SKIP LOCKED)
                   AND reminded_at_ms IS NULL
                 RETURNING id, email"
            ),
            &[&bounds[0], &bounds[1]],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    for (id, email) in &due {
        queue_kind(&tx, id, email, now, "reminder").await?;
        let entry = outbox::reminder_queued(id, email).storable();
        insert_audit(&tx, now, who, &entry).await?;
    }
    tx.commit().await?;
    Ok(due.len() as u64)
}

/// The delivery of an invitation's newest message, as the invitation shows it.
pub(super) async fn delivery_of(
    tx: &Transaction<'_>,
    invitation_id: &str,
) -> Result<Option<Delivery>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT state, attempts, last_attempt_at_ms, answer, kind FROM outbox
             WHERE invitation_id = $1 ORDER BY seq DESC LIMIT 1",
            &[&invitation_id],
        )
        .await?
        .and_then(|row| delivery_from_row(&row, 0)))
}

/// Withdraws an invitation's mail still waiting (it was revoked or replaced, or its link
/// handed over another way); whether there was any.
pub(super) async fn withdraw(
    tx: &Transaction<'_>,
    invitation_id: &str,
) -> Result<bool, StoreError> {
    let withdrawn = tx
        .execute(
            "UPDATE outbox SET state = 'withdrawn', lease_until_ms = NULL
             WHERE invitation_id = $1 AND state = 'queued'",
            &[&invitation_id],
        )
        .await?;
    Ok(withdrawn > 0)
}

/// Reads `state, attempts, last_attempt_at_ms, answer, kind` (all NULL for none) starting at column
/// `first`, as the invitation shows it ([`outbox::shown`]).
pub(super) fn delivery_from_row(row: &Row, first: usize) -> Option<Delivery> {
    outbox::shown(
        row.get::<_, Option<&str>>(first)?,
        i64::from(row.get::<_, i32>(first + 1)),
        row.get::<_, Option<i64>>(first + 2).map(instant),
        row.get(first + 3),
        row.get::<_, Option<&str>>(first + 4) == Some("reminder"),
    )
}

pub(super) async fn claim(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limits: &ClaimLimits,
) -> Result<Vec<ClaimedRow>, StoreError> {
    let now_ms = now.timestamp_millis();
    // Due, not leased, the first due to its address, and to an address that has not had its
    // day's messages.
    let rows = backend
        .client()
        .await?
        .query(
            "WITH due AS (
                 SELECT seq FROM outbox o
                 WHERE state = 'queued' AND next_attempt_at_ms <= $1
                   AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
                   AND NOT EXISTS (SELECT 1 FROM outbox q
                                   WHERE q.recipient_key = o.recipient_key
                                     AND q.state = 'queued' AND q.next_attempt_at_ms <= $1
                                     AND (q.next_attempt_at_ms, q.seq)
                                         < (o.next_attempt_at_ms, o.seq))
                   AND (SELECT COUNT(*) FROM outbox p
                        WHERE p.recipient_key = o.recipient_key AND p.seq != o.seq
                          AND p.last_attempt_at_ms > $4) < $5
                 ORDER BY next_attempt_at_ms, seq LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             UPDATE outbox o SET lease_until_ms = $2, attempts = o.attempts + 1,
                                 last_attempt_at_ms = $1
             FROM due LEFT JOIN invitations i ON true
             WHERE o.seq = due.seq AND i.id = o.invitation_id
             RETURNING o.seq, o.invitation_id, o.recipient, o.attempts,
                       i.state = 'open', i.expires_at_ms, i.locale, i.inviter, o.kind",
            &[
                &now_ms,
                &lease_until.timestamp_millis(),
                &i64::from(limits.count),
                &limits.since.timestamp_millis(),
                &i64::from(limits.per_address),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| ClaimedRow {
            seq: row.get(0),
            invitation_id: row.get(1),
            recipient: row.get(2),
            attempts: row.get::<_, i32>(3).max(0) as u32,
            open: row.get::<_, Option<bool>>(4).unwrap_or(false),
            expires_at: instant(row.get::<_, Option<i64>>(5).unwrap_or(0)),
            locale: row
                .get::<_, Option<String>>(6)
                .unwrap_or_else(|| "en".into()),
            inviter: row.get(7),
            reminder: row.get::<_, &str>(8) == "reminder",
        })
        .collect())
}

/// How many messages had an attempt after `since`.
pub(super) async fn attempted_since(
    backend: &PostgresBackend,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let count: i64 = backend
        .client()
        .await?
        .query_one(
            "SELECT COUNT(*) FROM outbox WHERE last_attempt_at_ms > $1",
            &[&since.timestamp_millis()],
        )
        .await?
        .get(0);
    Ok(count as u64)
}

/// Whether a due, unleased message has an answer other than `why`.
pub(super) async fn to_hold(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
    why: &str,
) -> Result<bool, StoreError> {
    Ok(backend
        .client()
        .await?
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM outbox
                            WHERE state = 'queued' AND next_attempt_at_ms <= $1
                              AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
                              AND answer IS DISTINCT FROM $2)",
            &[&now.timestamp_millis(), &why],
        )
        .await?
        .get(0))
}

/// Says `why` on the due messages a limit holds back: every one, or (with `crowded`) those
/// whose address has had `per_address` messages since `since`.
pub(super) async fn hold(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
    why: &str,
    crowded: Option<(u32, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    let (per_address, since) = crowded.map_or((0, 0), |(per_address, since)| {
        (i64::from(per_address), since.timestamp_millis())
    });
    backend
        .client()
        .await?
        .execute(
            "UPDATE outbox o SET answer = $2
             WHERE state = 'queued' AND next_attempt_at_ms <= $1
               AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
               AND answer IS DISTINCT FROM $2
               AND ($3::bigint = 0 OR (SELECT COUNT(*) FROM outbox p
                               WHERE p.recipient_key = o.recipient_key
                                 AND p.seq != o.seq AND p.last_attempt_at_ms > $4) >= $3)",
            &[&now.timestamp_millis(), &why, &per_address, &since],
        )
        .await?;
    Ok(())
}

pub(super) async fn set_link(
    backend: &PostgresBackend,
    invitation_id: &str,
    link_hash: &str,
    reminder: bool,
) -> Result<bool, StoreError> {
    let changed = backend
        .client()
        .await?
        .execute(
            if reminder {
                "UPDATE invitations SET reminder_link_hash = $2 WHERE id = $1 AND state = 'open'"
            } else {
                "UPDATE invitations SET link_hash = $2 WHERE id = $1 AND state = 'open'"
            },
            &[&invitation_id, &link_hash],
        )
        .await?;
    Ok(changed > 0)
}

pub(super) async fn settle(
    backend: &PostgresBackend,
    seq: i64,
    settled: &Settled,
    audit: Option<(&Who, &Entry)>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, answer, next_attempt_at_ms) = settled.stored();
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "UPDATE outbox SET state = $2, answer = COALESCE($3, answer), lease_until_ms = NULL,
                           next_attempt_at_ms = COALESCE($4, next_attempt_at_ms)
         WHERE seq = $1",
        &[&seq, &state, &answer, &next_attempt_at_ms],
    )
    .await?;
    if let Some((who, entry)) = audit {
        insert_audit(&tx, at, who, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}
