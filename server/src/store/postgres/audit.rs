//! The audit trail in PostgreSQL (see [`crate::store::audit`] for what it records).

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use org_invitations_core::wire::AuditRecord;
use tokio_postgres::IsolationLevel;

use super::PostgresBackend;
use crate::store::audit::{Action, Entry, Filter, Who};
use crate::store::backend::Rows;
use crate::store::webhooks::Event;
use crate::store::{StoreError, instant};

/// Writes one audit record in `tx` (the change's own, when it goes with one); returns its
/// number.
pub(super) async fn insert_audit(
    tx: &Transaction<'_>,
    at: DateTime<Utc>,
    who: &Who,
    entry: &Entry,
) -> Result<i64, StoreError> {
    let statement = tx
        .prepare_cached(
            "INSERT INTO audit (at_ms, actor, method, action, email, email_key, invitation_id,
                                status, detail, request_id, client, replaces_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING seq",
        )
        .await?;
    let email_key = entry.email_key();
    let status = entry.status.map(i32::from);
    let row = tx
        .query_one(
            &statement,
            &[
                &at.timestamp_millis(),
                &who.actor,
                &who.method,
                &entry.action.name(),
                &entry.email,
                &email_key,
                &entry.invitation_id,
                &status,
                &entry.detail,
                &who.request_id,
                &who.client,
                &entry.replaces,
            ],
        )
        .await?;
    // The webhook event the change reports, in the change's own transaction.
    if let Some(event) = Event::of(who, entry) {
        super::webhooks::queue(tx, None, &event, at).await?;
    }
    Ok(row.get(0))
}

pub(super) async fn record(
    backend: &PostgresBackend,
    at: DateTime<Utc>,
    who: &Who,
    entries: &[Entry],
) -> Result<Vec<i64>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let mut numbers = Vec::with_capacity(entries.len());
    for entry in entries {
        numbers.push(insert_audit(&tx, at, who, entry).await?);
    }
    tx.commit().await?;
    Ok(numbers)
}

pub(super) async fn complete(
    backend: &PostgresBackend,
    outcomes: &[(i64, Entry)],
) -> Result<(), StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let update = tx
        .prepare_cached(
            "UPDATE audit SET status = $2, detail = $3, invitation_id = $4,
                    email = COALESCE($5, email)
             WHERE seq = $1 AND status IS NULL",
        )
        .await?;
    for (seq, entry) in outcomes {
        let status = entry.status.map(i32::from);
        tx.execute(
            &update,
            &[
                seq,
                &status,
                &entry.detail,
                &entry.invitation_id,
                &entry.email,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn audit_list(
    backend: &PostgresBackend,
    filter: &Filter,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<Rows<AuditRecord>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let conditions = "($1::TEXT IS NULL OR email_key = $1) AND ($2::TEXT IS NULL OR actor = $2)
         AND ($3::TEXT IS NULL OR action = $3) AND ($4::BIGINT IS NULL OR at_ms >= $4)
         AND ($5::BIGINT IS NULL OR at_ms < $5)";
    let email_key = filter.email_key.as_deref();
    let actor = filter.actor.as_deref();
    let action = filter.action.map(Action::name);
    let since = filter.since.map(|at| at.timestamp_millis());
    let until = filter.until.map(|at| at.timestamp_millis());
    let page = tx
        .prepare_cached(&format!(
            "SELECT seq, at_ms, actor, method, action, email, invitation_id, status, detail,
                    request_id, client, replaces_id
             FROM audit WHERE {conditions} AND ($6::BIGINT IS NULL OR seq < $6)
             ORDER BY seq DESC LIMIT $7"
        ))
        .await?;
    let fetched = tx
        .query(
            &page,
            &[
                &email_key,
                &actor,
                &action,
                &since,
                &until,
                &before_seq,
                &i64::from(limit),
            ],
        )
        .await?;
    let total = tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM audit WHERE {conditions}"))
        .await?;
    let total: i64 = tx
        .query_one(&total, &[&email_key, &actor, &action, &since, &until])
        .await?
        .get(0);
    tx.commit().await?;
    Ok(Rows {
        rows: fetched
            .iter()
            .map(|row| {
                (
                    row.get(0),
                    AuditRecord {
                        at: instant(row.get(1)),
                        actor: row.get(2),
                        method: row.get(3),
                        action: row.get(4),
                        email: row.get(5),
                        invitation_id: row.get(6),
                        replaces: row.get(11),
                        status: row
                            .get::<_, Option<i32>>(7)
                            .and_then(|status| u16::try_from(status).ok()),
                        detail: row.get(8),
                        request_id: row.get(9),
                        client: row.get(10),
                    },
                )
            })
            .collect(),
        total: total as u64,
    })
}

pub(super) async fn prune(
    backend: &PostgresBackend,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(backend
        .client()
        .await?
        .execute(
            "DELETE FROM audit WHERE at_ms < $1",
            &[&before.timestamp_millis()],
        )
        .await?)
}
