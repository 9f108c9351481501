//! The outbox in SQLite (see [`crate::store::outbox`] for the policy), given a connection by
//! [`super::SqliteBackend`]. One instance writes a SQLite file, so a claim in the writer's
//! transaction is never shared; the lease still lets a restarted server take back what a
//! crashed one claimed.

use chrono::{DateTime, Utc};
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::Delivery;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::outbox::{self, ClaimLimits, ClaimedRow, Settled};
use crate::store::{StoreError, instant};

/// Queues the mail of a just-created invitation, due at `now`; returns its delivery as shown.
pub fn queue(
    tx: &Connection,
    invitation_id: &str,
    recipient: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    queue_kind(tx, invitation_id, recipient, now, "invitation")?;
    Ok(outbox::queued())
}

/// Queues a message of `kind` (`invitation` or `reminder`), due at `now`.
fn queue_kind(
    tx: &Connection,
    invitation_id: &str,
    recipient: &str,
    now: DateTime<Utc>,
    kind: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO outbox (invitation_id, recipient, recipient_key, created_at_ms,
                             next_attempt_at_ms, kind)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )?
    .execute(params![
        invitation_id,
        recipient,
        comparison_key(recipient),
        now.timestamp_millis(),
        kind
    ])?;
    Ok(())
}

/// Queues a reminder for each open invitation that expires within `before` of `now`, has had
/// its own mail sent and no reminder yet, noting it on the invitation and in the audit trail
/// (by `who`) in the same transaction; how many.
pub fn queue_reminders(
    tx: &Connection,
    now: DateTime<Utc>,
    before: chrono::TimeDelta,
    who: &crate::store::audit::Who,
) -> Result<u64, StoreError> {
    let due: Vec<(String, String)> = tx
        .prepare_cached(&format!(
            "UPDATE invitations SET reminded_at_ms = ?1 WHERE {REMINDER_DUE} RETURNING id, email"
        ))?
        .query_map(
            params![now.timestamp_millis(), (now + before).timestamp_millis()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    for (id, email) in &due {
        queue_kind(tx, id, email, now, "reminder")?;
        let entry = outbox::reminder_queued(id, email).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(due.len() as u64)
}

/// Whether a reminder is due (see [`queue_reminders`]): only then has it anything to write.
pub fn any_reminder_due(
    conn: &Connection,
    now: DateTime<Utc>,
    before: chrono::TimeDelta,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT 1 FROM invitations WHERE {REMINDER_DUE}"))?
        .exists(params![
            now.timestamp_millis(),
            (now + before).timestamp_millis()
        ])?)
}

/// Open, unreminded, expiring after `?1` and by `?2`, its own mail sent or written.
const REMINDER_DUE: &str = "state = 'open' AND reminded_at_ms IS NULL
       AND expires_at_ms > ?1 AND expires_at_ms <= ?2
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.invitation_id = invitations.id
                   AND o.kind = 'invitation' AND o.state IN ('sent', 'written'))";

/// The delivery of an invitation's newest message, as the invitation shows it.
pub fn delivery_of(conn: &Connection, invitation_id: &str) -> Result<Option<Delivery>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT state, attempts, last_attempt_at_ms, answer, kind FROM outbox
             WHERE invitation_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([invitation_id], |row| delivery_from_row(row, 0))
        .optional()?
        .flatten())
}

/// Withdraws an invitation's mail still waiting (it was revoked or replaced, or its link
/// handed over another way); whether there was any.
pub fn withdraw(tx: &Connection, invitation_id: &str) -> Result<bool, StoreError> {
    let withdrawn = tx
        .prepare_cached(
            "UPDATE outbox SET state = 'withdrawn', lease_until_ms = NULL
             WHERE invitation_id = ?1 AND state = 'queued'",
        )?
        .execute([invitation_id])?;
    Ok(withdrawn > 0)
}

/// Reads `state, attempts, last_attempt_at_ms, answer, kind` of a message (all NULL for none)
/// starting at column `first`, as the invitation shows it ([`outbox::shown`]).
pub fn delivery_from_row(
    row: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<Option<Delivery>> {
    let Some(state) = row.get::<_, Option<String>>(first)? else {
        return Ok(None);
    };
    Ok(outbox::shown(
        &state,
        row.get(first + 1)?,
        row.get::<_, Option<i64>>(first + 2)?.map(instant),
        row.get(first + 3)?,
        row.get::<_, Option<String>>(first + 4)?.as_deref() == Some("reminder"),
    ))
}

/// Claims due messages until `lease_until`, as `limits` allows, counting the attempt.
pub fn claim(
    tx: &Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limits: &ClaimLimits,
) -> Result<Vec<ClaimedRow>, StoreError> {
    let now_ms = now.timestamp_millis();
    // Due, not leased, the first due to its address, and to an address that has not had its
    // day's messages.
    let claimed: Vec<(i64, String, String, i64, String)> = tx
        .prepare_cached(
            "UPDATE outbox SET lease_until_ms = ?2, attempts = attempts + 1,
                               last_attempt_at_ms = ?1
             WHERE seq IN (
                 SELECT o.seq FROM outbox o
                 WHERE o.state = 'queued' AND o.next_attempt_at_ms <= ?1
                   AND (o.lease_until_ms IS NULL OR o.lease_until_ms <= ?1)
                   AND NOT EXISTS (SELECT 1 FROM outbox q
                                   WHERE q.recipient_key = o.recipient_key
                                     AND q.state = 'queued' AND q.next_attempt_at_ms <= ?1
                                     AND (q.next_attempt_at_ms < o.next_attempt_at_ms
                                          OR (q.next_attempt_at_ms = o.next_attempt_at_ms
                                              AND q.seq < o.seq)))
                   AND (SELECT COUNT(*) FROM outbox p
                        WHERE p.recipient_key = o.recipient_key AND p.seq != o.seq
                          AND p.last_attempt_at_ms > ?4) < ?5
                 ORDER BY o.next_attempt_at_ms, o.seq LIMIT ?3)
             RETURNING seq, invitation_id, recipient, attempts, kind",
        )?
        .query_map(
            params![
                now_ms,
                lease_until.timestamp_millis(),
                limits.count,
                limits.since.timestamp_millis(),
                limits.per_address
            ],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )?
        .collect::<Result<_, _>>()?;
    let mut invitation = tx.prepare_cached(
        "SELECT state = 'open', expires_at_ms, locale, inviter FROM invitations WHERE id = ?1",
    )?;
    let mut rows = Vec::with_capacity(claimed.len());
    for (seq, invitation_id, recipient, attempts, kind) in claimed {
        let found: Option<(bool, i64, String, Option<String>)> = invitation
            .query_row([&invitation_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        let (open, expires_ms, locale, inviter) = found.unwrap_or((false, 0, "en".into(), None));
        rows.push(ClaimedRow {
            seq,
            invitation_id,
            recipient,
            attempts: attempts.max(0) as u32,
            open,
            expires_at: instant(expires_ms),
            locale,
            inviter,
            reminder: kind == "reminder",
        });
    }
    Ok(rows)
}

/// How many messages had an attempt after `since`.
pub fn attempted_since(conn: &Connection, since: DateTime<Utc>) -> Result<u64, StoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM outbox WHERE last_attempt_at_ms > ?1")?
        .query_row([since.timestamp_millis()], |row| row.get(0))?;
    Ok(count as u64)
}

/// Whether a due, unleased message has an answer other than `why`.
pub fn to_hold(conn: &Connection, now: DateTime<Utc>, why: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox
                            WHERE state = 'queued' AND next_attempt_at_ms <= ?1
                              AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)
                              AND answer IS NOT ?2)",
        )?
        .query_row(params![now.timestamp_millis(), why], |row| row.get(0))?)
}

/// Says `why` on the due messages a limit holds back: every one, or (with `crowded`) those
/// whose address has had `per_address` messages since `since`.
pub fn hold(
    tx: &Connection,
    now: DateTime<Utc>,
    why: &str,
    crowded: Option<(u32, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    let (per_address, since) = crowded.map_or((0, 0), |(per_address, since)| {
        (per_address, since.timestamp_millis())
    });
    tx.prepare_cached(
        "UPDATE outbox SET answer = ?2
         WHERE state = 'queued' AND next_attempt_at_ms <= ?1
           AND (lease_until_ms IS NULL OR lease_until_ms <= ?1) AND answer IS NOT ?2
           AND (?3 = 0 OR (SELECT COUNT(*) FROM outbox p
                           WHERE p.recipient_key = outbox.recipient_key
                             AND p.seq != outbox.seq AND p.last_attempt_at_ms > ?4) >= ?3)",
    )?
    .execute(params![now.timestamp_millis(), why, per_address, since])?;
    Ok(())
}

/// Gives an open invitation the link with this hash (its reminder's, for a `reminder`);
/// `false` when it is not open.
pub fn set_link(
    tx: &Connection,
    invitation_id: &str,
    link_hash: &str,
    reminder: bool,
) -> Result<bool, StoreError> {
    let changed = tx
        .prepare_cached(if reminder {
            "UPDATE invitations SET reminder_link_hash = ?2 WHERE id = ?1 AND state = 'open'"
        } else {
            "UPDATE invitations SET link_hash = ?2 WHERE id = ?1 AND state = 'open'"
        })?
        .execute([invitation_id, link_hash])?;
    Ok(changed > 0)
}

/// Ends a claimed message's attempt as `settled` says.
pub fn settle(tx: &Connection, seq: i64, settled: &Settled) -> Result<(), StoreError> {
    let (state, answer, next_attempt_at_ms) = settled.stored();
    tx.prepare_cached(
        "UPDATE outbox SET state = ?2, answer = COALESCE(?3, answer), lease_until_ms = NULL,
                           next_attempt_at_ms = COALESCE(?4, next_attempt_at_ms)
         WHERE seq = ?1",
    )?
    .execute(params![seq, state, answer, next_attempt_at_ms])?;
    Ok(())
}
