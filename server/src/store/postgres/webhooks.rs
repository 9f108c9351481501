//! Webhook endpoints and their deliveries in PostgreSQL (see [`crate::store::webhooks`]).
//! Several instances share the deliveries: a claim locks the rows it takes and skips those
//! another has locked (`FOR UPDATE SKIP LOCKED`), and leases them, so one delivery is never
//! posted by two instances at once and one claimed by an instance that crashed is taken again
//! once its lease runs out.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use org_invitations_core::webhook::{Webhook, WebhookDelivery};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PostgresBackend;
use super::audit::insert_audit;
use crate::limits::WEBHOOK_IN_FLIGHT_PER_ENDPOINT;
use crate::store::audit::{Action, Entry, Who};
use crate::store::webhooks::{
    ClaimedDelivery, Endpoint, Event, Settlement, WEBHOOK_COLUMNS, delivery_id, delivery_status,
    payload, recorded, stored,
};
use crate::store::{StoreError, instant};

pub(super) async fn add(
    backend: &PostgresBackend,
    endpoint: &Endpoint,
    who: &Who,
    entry: &Entry,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO webhooks (id, url, events, secret, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
        &[
            &endpoint.webhook.id,
            &endpoint.webhook.url,
            &endpoint.stored_events(),
            &endpoint.secret,
            &endpoint.webhook.created_at.timestamp_millis(),
        ],
    )
    .await?;
    insert_audit(&tx, now, who, entry).await?;
    tx.commit().await?;
    Ok(())
}

fn webhook_from_row(row: &Row) -> Webhook {
    Webhook {
        id: row.get(0),
        url: row.get(1),
        events: Endpoint::events_from(row.get(2)),
        created_at: instant(row.get(3)),
        paused_at: row.get::<_, Option<i64>>(4).map(instant),
        disabled_at: row.get::<_, Option<i64>>(5).map(instant),
        failing_since: row.get::<_, Option<i64>>(6).map(instant),
    }
}

pub(super) async fn list(backend: &PostgresBackend) -> Result<Vec<Webhook>, StoreError> {
    Ok(backend
        .client()
        .await?
        .query(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at_ms, id"),
            &[],
        )
        .await?
        .iter()
        .map(webhook_from_row)
        .collect())
}

/// Runs `update` (an `UPDATE webhooks … WHERE id = $1`) in `tx` and, when it changed an
/// endpoint, records `action` on it.
async fn change(
    tx: &Transaction<'_>,
    update: &str,
    params: &[&(dyn ToSql + Sync)],
    action: Action,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let changed = tx
        .query_opt(&format!("{update} RETURNING {WEBHOOK_COLUMNS}"), params)
        .await?
        .map(|row| webhook_from_row(&row));
    if let Some(webhook) = &changed {
        let entry = recorded(action, webhook).storable();
        insert_audit(tx, now, who, &entry).await?;
    }
    Ok(changed)
}

/// Runs [`change`] in a transaction of its own.
async fn change_alone(
    backend: &PostgresBackend,
    update: &str,
    params: &[&(dyn ToSql + Sync)],
    action: Action,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let changed = change(&tx, update, params, action, who, now).await?;
    tx.commit().await?;
    Ok(changed)
}

pub(super) async fn rotate(
    backend: &PostgresBackend,
    id: &str,
    secret: &str,
    previous_until: DateTime<Utc>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    change_alone(
        backend,
        "UPDATE webhooks SET previous_secret = secret, previous_until_ms = $3, secret = $2
         WHERE id = $1",
        &[&id, &secret, &previous_until.timestamp_millis()],
        Action::WebhookRotated,
        who,
        now,
    )
    .await
}

pub(super) async fn pause(
    backend: &PostgresBackend,
    id: &str,
    paused: bool,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    if paused {
        change_alone(
            backend,
            "UPDATE webhooks SET paused_at_ms = COALESCE(paused_at_ms, $2) WHERE id = $1",
            &[&id, &now.timestamp_millis()],
            Action::WebhookPaused,
            who,
            now,
        )
        .await
    } else {
        change_alone(
            backend,
            "UPDATE webhooks SET paused_at_ms = NULL, disabled_at_ms = NULL,
                                 failing_since_ms = NULL
             WHERE id = $1",
            &[&id],
            Action::WebhookResumed,
            who,
            now,
        )
        .await
    }
}

pub(super) async fn delete(
    backend: &PostgresBackend,
    id: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    // Its deliveries first, then the endpoint: the order a settling worker locks them in (a
    // delivery, then its endpoint), so the two never wait on each other.
    tx.execute(
        "DELETE FROM webhook_deliveries WHERE endpoint_id = $1",
        &[&id],
    )
    .await?;
    let deleted = tx
        .query_opt(
            &format!("DELETE FROM webhooks WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}"),
            &[&id],
        )
        .await?
        .map(|row| webhook_from_row(&row));
    if let Some(webhook) = &deleted {
        let entry = recorded(Action::WebhookDeleted, webhook).storable();
        insert_audit(&tx, now, who, &entry).await?;
    }
    tx.commit().await?;
    Ok(deleted)
}

/// Queues `event`, due at `at`, for the endpoint `only`, or (without it) for every endpoint
/// that wants it; how many deliveries that made.
pub(super) async fn queue(
    tx: &Transaction<'_>,
    only: Option<&str>,
    event: &Event,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let statement = tx
        .prepare_cached(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, invitation_id,
                                             replaces_id, actor, at_ms, next_attempt_at_ms)
             SELECT $1, id, $2, $3, $4, $5, $6, $6 FROM webhooks
             WHERE CASE WHEN $7::TEXT IS NULL
                        THEN events = '' OR strpos(' ' || events || ' ', $8) > 0
                        ELSE id = $7 END",
        )
        .await?;
    Ok(tx
        .execute(
            &statement,
            &[
                &event.message_id,
                &event.event_type,
                &event.invitation_id,
                &event.replaces,
                &event.actor,
                &at.timestamp_millis(),
                &only,
                &event.wanted_by(),
            ],
        )
        .await?)
}

pub(super) async fn queue_alone(
    backend: &PostgresBackend,
    id: &str,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let queued = queue(&tx, Some(id), event, now).await?;
    tx.commit().await?;
    Ok(queued > 0)
}

pub(super) async fn redeliver(
    backend: &PostgresBackend,
    id: &str,
    seq: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let copied = backend
        .client()
        .await?
        .execute(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, invitation_id,
                                             replaces_id, actor, at_ms, payload,
                                             next_attempt_at_ms)
             SELECT message_id, endpoint_id, event_type, invitation_id, replaces_id, actor,
                    at_ms, payload, $3
             FROM webhook_deliveries WHERE seq = $1 AND endpoint_id = $2",
            &[&seq, &id, &now.timestamp_millis()],
        )
        .await?;
    Ok(copied > 0)
}

pub(super) async fn deliveries(
    backend: &PostgresBackend,
    id: &str,
    limit: u32,
) -> Result<Option<Vec<WebhookDelivery>>, StoreError> {
    let client = backend.client().await?;
    if client
        .query_opt("SELECT 1 FROM webhooks WHERE id = $1", &[&id])
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let rows = client
        .query(
            "SELECT seq, message_id, event_type, invitation_id, state, attempts, at_ms,
                    last_attempt_at_ms, next_attempt_at_ms, last_status, last_error
             FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq DESC LIMIT $2",
            &[&id, &i64::from(limit)],
        )
        .await?;
    Ok(Some(
        rows.iter()
            .map(|row| {
                let state: &str = row.get(4);
                WebhookDelivery {
                    id: delivery_id(row.get(0)),
                    message_id: row.get(1),
                    event_type: row.get(2),
                    invitation_id: row.get(3),
                    status: delivery_status(state),
                    attempts: row.get::<_, i32>(5).max(0) as u32,
                    created_at: instant(row.get(6)),
                    last_attempt_at: row.get::<_, Option<i64>>(7).map(instant),
                    next_attempt_at: (state == "pending").then(|| instant(row.get(8))),
                    response_status: row
                        .get::<_, Option<i32>>(9)
                        .and_then(|code| u16::try_from(code).ok()),
                    error: row.get(10),
                }
            })
            .collect(),
    ))
}

pub(super) async fn note_expired(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let now_ms = now.timestamp_millis();
    let mut client = backend.client().await?;
    // Read first: a worker looking twice a second with nothing expired writes nothing.
    if client
        .query_opt(
            "SELECT 1 FROM invitations
             WHERE state = 'open' AND expires_at_ms <= $1 AND NOT expiry_noted LIMIT 1",
            &[&now_ms],
        )
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let tx = client.transaction().await?;
    // Rows another transaction holds (another instance noting them, a change) are skipped,
    // never waited for in an order of their own, and noted on a later look.
    let ids: Vec<String> = tx
        .query(
            "UPDATE invitations SET expiry_noted = true
             WHERE id IN (SELECT id FROM invitations
                          WHERE state = 'open' AND expires_at_ms <= $1 AND NOT expiry_noted
                          FOR UPDATE SKIP LOCKED)
               AND NOT expiry_noted
             RETURNING id",
            &[&now_ms],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for id in &ids {
        queue(&tx, None, &Event::expired(id), now).await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}

pub(super) async fn claim(
    backend: &PostgresBackend,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    count: u32,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let now_ms = now.timestamp_millis();
    // Due deliveries of endpoints neither paused nor disabled, each among the first
    // WEBHOOK_IN_FLIGHT_PER_ENDPOINT due of its endpoint (in flight or leased ones count).
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let rows = tx
        .query(
            &format!(
                "WITH due AS (
                 SELECT d.seq FROM webhook_deliveries d
                 WHERE d.state = 'pending' AND d.next_attempt_at_ms <= $1
                   AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= $1)
                   AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.endpoint_id
                               AND w.paused_at_ms IS NULL AND w.disabled_at_ms IS NULL)
                   AND (SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries e
                                              WHERE e.endpoint_id = d.endpoint_id
                                                AND e.state = 'pending'
                                                AND e.next_attempt_at_ms <= $1
                                                AND (e.next_attempt_at_ms, e.seq)
                                                    < (d.next_attempt_at_ms, d.seq)
                                              LIMIT {WEBHOOK_IN_FLIGHT_PER_ENDPOINT}) AS earlier)
                       < {WEBHOOK_IN_FLIGHT_PER_ENDPOINT}
                 ORDER BY d.next_attempt_at_ms, d.seq LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             UPDATE webhook_deliveries d SET lease_until_ms = $2, attempts = d.attempts + 1,
                                             last_attempt_at_ms = $1
             FROM due, webhooks w
             WHERE d.seq = due.seq AND w.id = d.endpoint_id
             RETURNING d.seq, d.message_id, d.endpoint_id, d.event_type, d.invitation_id,
                       d.replaces_id, d.actor, d.at_ms, d.payload, d.attempts, w.url, w.secret,
                       CASE WHEN w.previous_until_ms > $1 THEN w.previous_secret END"
            ),
            &[&now_ms, &lease_until.timestamp_millis(), &i64::from(count)],
        )
        .await?;
    let mut claimed: Vec<ClaimedDelivery> = rows
        .iter()
        .map(|row| ClaimedDelivery {
            seq: row.get(0),
            message_id: row.get(1),
            endpoint_id: row.get(2),
            event_type: row.get(3),
            invitation_id: row.get(4),
            replaces: row.get(5),
            actor: row.get(6),
            at: instant(row.get(7)),
            payload: row.get(8),
            attempts: row.get::<_, i32>(9).max(0) as u32,
            url: row.get(10),
            secrets: std::iter::once(row.get::<_, String>(11))
                .chain(row.get::<_, Option<String>>(12))
                .collect(),
        })
        .collect();
    // Each body made at its first attempt, in the claim's transaction, and kept.
    for delivery in claimed
        .iter_mut()
        .filter(|delivery| delivery.payload.is_none())
    {
        let invitation = match &delivery.invitation_id {
            Some(id) => super::invitations::any_state_in(&tx, &backend.organization_id, id).await?,
            None => None,
        };
        let body = payload(delivery, invitation.as_ref());
        tx.execute(
            "UPDATE webhook_deliveries SET payload = $2 WHERE seq = $1",
            &[&delivery.seq, &body],
        )
        .await?;
        delivery.payload = Some(body);
    }
    tx.commit().await?;
    Ok(claimed)
}

pub(super) async fn settle(
    backend: &PostgresBackend,
    seq: i64,
    endpoint_id: &str,
    settlement: &Settlement,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (state, status, error, next) = stored(settlement);
    let now_ms = now.timestamp_millis();
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "UPDATE webhook_deliveries
         SET state = $2, last_status = $3, last_error = $4,
             next_attempt_at_ms = COALESCE($5, next_attempt_at_ms), lease_until_ms = NULL
         WHERE seq = $1",
        &[&seq, &state, &status, &error, &next],
    )
    .await?;
    let disabled = if state == "delivered" {
        tx.execute(
            "UPDATE webhooks SET failing_since_ms = NULL WHERE id = $1",
            &[&endpoint_id],
        )
        .await?;
        None
    } else {
        tx.execute(
            "UPDATE webhooks SET failing_since_ms = COALESCE(failing_since_ms, $2) WHERE id = $1",
            &[&endpoint_id, &now_ms],
        )
        .await?;
        change(
            &tx,
            "UPDATE webhooks SET disabled_at_ms = $2
             WHERE id = $1 AND disabled_at_ms IS NULL AND failing_since_ms <= $3",
            &[
                &endpoint_id,
                &now_ms,
                &settlement.disable_failing_since.timestamp_millis(),
            ],
            Action::WebhookDisabled,
            who,
            now,
        )
        .await?
    };
    tx.commit().await?;
    Ok(disabled.is_some())
}

pub(super) async fn prune(
    backend: &PostgresBackend,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(backend
        .client()
        .await?
        .execute(
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND at_ms < $1",
            &[&before.timestamp_millis()],
        )
        .await?)
}
