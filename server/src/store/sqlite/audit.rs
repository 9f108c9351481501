//! The audit trail in SQLite (see [`crate::store::audit`] for what it records), given a
//! connection by [`super::SqliteBackend`]: records that go with no change of this server's
//! store (refusals, the gateway's), listing, and retention.

use chrono::{DateTime, Utc};
use org_invitations_core::wire::AuditRecord;
use rusqlite::{Connection, params};

use crate::store::audit::{Action, Entry, Filter, Who};
use crate::store::backend::Rows;
use crate::store::webhooks::Event;
use crate::store::{StoreError, instant};

/// Writes one record with `connection` (a transaction, in store mode); returns its number.
pub(super) fn insert(
    connection: &Connection,
    at: DateTime<Utc>,
    who: &Who,
    entry: &Entry,
) -> Result<i64, StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id,
                                status, detail, request_id, client, replaces_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            at.timestamp_millis(),
            who.actor,
            who.method,
            entry.action.name(),
            entry.email,
            entry.email_key(),
            entry.invitation_id,
            entry.status,
            entry.detail,
            who.request_id,
            who.client,
            entry.replaces,
        ])?;
    let seq = connection.last_insert_rowid();
    // The webhook event the change reports, in the change's own transaction.
    if let Some(event) = Event::of(who, entry) {
        super::webhooks::queue(connection, None, &event, at)?;
    }
    Ok(seq)
}

/// Writes records that belong together (one request's) in one transaction; returns their
/// numbers, in order.
pub fn record(
    tx: &Connection,
    at: DateTime<Utc>,
    who: &Who,
    entries: &[Entry],
) -> Result<Vec<i64>, StoreError> {
    entries
        .iter()
        .map(|entry| insert(tx, at, who, entry))
        .collect()
}

/// Gives records written without an outcome theirs (in one transaction).
pub fn complete(tx: &Connection, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
    {
        let mut update = tx.prepare_cached(
            "UPDATE audit SET status = ?2, detail = ?3, invitation_id = ?4,
                    email = COALESCE(?5, email)
             WHERE seq = ?1 AND status IS NULL",
        )?;
        for (seq, entry) in outcomes {
            update.execute(params![
                seq,
                entry.status,
                entry.detail,
                entry.invitation_id,
                entry.email
            ])?;
        }
    }
    Ok(())
}

/// Newest first, before record `before_seq` (exclusive) when given, at most `limit`, and
/// the total, from one snapshot.
pub fn list(
    conn: &mut Connection,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<Rows<AuditRecord>, StoreError> {
    // The page and the total come from one snapshot, as on PostgreSQL.
    let tx = conn.transaction()?;
    let conditions = "(?1 IS NULL OR email_key = ?1) AND (?2 IS NULL OR actor = ?2)
         AND (?3 IS NULL OR action = ?3) AND (?4 IS NULL OR at_ms >= ?4)
         AND (?5 IS NULL OR at_ms < ?5)";
    let bounds = (
        filter.email_key.as_deref(),
        filter.actor.as_deref(),
        filter.action.map(Action::name),
        filter.since.map(|at| at.timestamp_millis()),
        filter.until.map(|at| at.timestamp_millis()),
    );
    let rows = tx
        .prepare_cached(&format!(
            "SELECT seq, at_ms, actor, method, action, email, invitation_id, status, detail,
                    request_id, client, replaces_id
             FROM audit WHERE {conditions} AND (?6 IS NULL OR seq < ?6)
             ORDER BY seq DESC LIMIT ?7"
        ))?
        .query_map(
            params![
                bounds.0, bounds.1, bounds.2, bounds.3, bounds.4, before_seq, limit
            ],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    AuditRecord {
                        at: instant(row.get(1)?),
                        actor: row.get(2)?,
                        method: row.get(3)?,
                        action: row.get(4)?,
                        email: row.get(5)?,
                        invitation_id: row.get(6)?,
                        replaces: row.get(11)?,
                        status: row.get(7)?,
                        detail: row.get(8)?,
                        request_id: row.get(9)?,
                        client: row.get(10)?,
                    },
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM audit WHERE {conditions}"))?
        .query_row(
            params![bounds.0, bounds.1, bounds.2, bounds.3, bounds.4],
            |row| row.get(0),
        )?;
    tx.finish()?;
    Ok(Rows {
        rows,
        total: total as u64,
    })
}

/// Removes records older than `before` (`--audit-retention-days`); returns how many.
pub fn prune(tx: &Connection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM audit WHERE at_ms < ?1",
        [before.timestamp_millis()],
    )?)
}
