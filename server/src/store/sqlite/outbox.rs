//! The outbox in SQLite (see [`crate::store::outbox`] for the policy), given a connection by
//! [`super::SqliteBackend`]. One instance writes a SQLite file, so a claim in the writer's
//! transaction is never shared; the lease still lets a restarted server take back what a
//! crashed one claimed.

use chrono::{DateTime, Utc};
use org_invitations_core::invitation::Delivery;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::outbox::{self, ClaimedRow, Settled};
use crate::store::{StoreError, instant};

/// Queues the mail of a just-created invitation, due at `now`; returns its delivery as shown.
pub fn queue(
    tx: &Connection,
    invitation_id: &str,
    recipient: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    tx.prepare_cached(
        "INSERT INTO outbox (invitation_id, recipient, created_at_ms, next_attempt_at_ms)
         VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![invitation_id, recipient, now.timestamp_millis()])?;
    Ok(outbox::queued())
}

/// The delivery of an invitation's newest message, as the invitation shows it.
pub fn delivery_of(conn: &Connection, invitation_id: &str) -> Result<Option<Delivery>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT state, attempts, last_attempt_at_ms, answer FROM outbox
             WHERE invitation_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([invitation_id], |row| delivery_from_row(row, 0))
        .optional()?
        .flatten())
}

/// Withdraws an invitation's mail still waiting (it was revoked or replaced).
pub fn withdraw(tx: &Connection, invitation_id: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'withdrawn', lease_until_ms = NULL
         WHERE invitation_id = ?1 AND state = 'queued'",
    )?
    .execute([invitation_id])?;
    Ok(())
}

/// Reads `state, attempts, last_attempt_at_ms, answer` of a message (all NULL for none)
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
    ))
}

/// Claims up to `limit` due messages until `lease_until`, counting the attempt.
pub fn claim(
    tx: &Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<ClaimedRow>, StoreError> {
    let now_ms = now.timestamp_millis();
    let claimed: Vec<(i64, String, String, i64)> = tx
        .prepare_cached(
            "UPDATE outbox SET lease_until_ms = ?2, attempts = attempts + 1,
                               last_attempt_at_ms = ?1
             WHERE seq IN (SELECT seq FROM outbox
                           WHERE state = 'queued' AND next_attempt_at_ms <= ?1
                             AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)
                           ORDER BY next_attempt_at_ms, seq LIMIT ?3)
             RETURNING seq, invitation_id, recipient, attempts",
        )?
        .query_map(
            params![now_ms, lease_until.timestamp_millis(), limit],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?
        .collect::<Result<_, _>>()?;
    let mut invitation = tx.prepare_cached(
        "SELECT state = 'open', expires_at_ms, locale, inviter FROM invitations WHERE id = ?1",
    )?;
    let mut rows = Vec::with_capacity(claimed.len());
    for (seq, invitation_id, recipient, attempts) in claimed {
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
        });
    }
    Ok(rows)
}

/// Gives an open invitation the link with this hash; `false` when it is not open.
pub fn set_link(tx: &Connection, invitation_id: &str, link_hash: &str) -> Result<bool, StoreError> {
    let changed = tx
        .prepare_cached("UPDATE invitations SET link_hash = ?2 WHERE id = ?1 AND state = 'open'")?
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
