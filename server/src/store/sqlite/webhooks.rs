//! Webhook endpoints and their deliveries in SQLite (see [`crate::store::webhooks`]).

use chrono::{DateTime, Utc};
use org_invitations_core::webhook::{Webhook, WebhookDelivery};
use rusqlite::{Connection, OptionalExtension, params};

use crate::limits::WEBHOOK_IN_FLIGHT_PER_ENDPOINT;
use crate::store::audit::{Action, Entry, Who};
use crate::store::webhooks::{
    ClaimedDelivery, Endpoint, Event, Settlement, WEBHOOK_COLUMNS, delivery_id, delivery_status,
    payload, recorded, stored,
};
use crate::store::{StoreError, instant};

pub fn add(
    tx: &Connection,
    endpoint: &Endpoint,
    who: &Who,
    entry: &Entry,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO webhooks (id, url, events, secret, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        endpoint.webhook.id,
        endpoint.webhook.url,
        endpoint.stored_events(),
        endpoint.secret,
        endpoint.webhook.created_at.timestamp_millis(),
    ])?;
    super::audit::insert(tx, now, who, entry)?;
    Ok(())
}

fn webhook_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        url: row.get(1)?,
        events: Endpoint::events_from(&row.get::<_, String>(2)?),
        created_at: instant(row.get(3)?),
        paused_at: row.get::<_, Option<i64>>(4)?.map(instant),
        disabled_at: row.get::<_, Option<i64>>(5)?.map(instant),
        failing_since: row.get::<_, Option<i64>>(6)?.map(instant),
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Webhook>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at_ms, id"
    ))?;
    let rows = statement.query_map([], webhook_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Runs `update` (an `UPDATE webhooks … WHERE id = ?1`) and, when it changed an endpoint,
/// records `action` on it.
fn change(
    tx: &Connection,
    update: &str,
    params: impl rusqlite::Params,
    action: Action,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let changed = tx
        .prepare_cached(&format!("{update} RETURNING {WEBHOOK_COLUMNS}"))?
        .query_row(params, webhook_from_row)
        .optional()?;
    if let Some(webhook) = &changed {
        let entry = recorded(action, webhook).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(changed)
}

pub fn rotate(
    tx: &Connection,
    id: &str,
    secret: &str,
    previous_until: DateTime<Utc>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    change(
        tx,
        "UPDATE webhooks SET previous_secret = secret, previous_until_ms = ?3, secret = ?2
         WHERE id = ?1",
        params![id, secret, previous_until.timestamp_millis()],
        Action::WebhookRotated,
        who,
        now,
    )
}

pub fn pause(
    tx: &Connection,
    id: &str,
    paused: bool,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    if paused {
        change(
            tx,
            "UPDATE webhooks SET paused_at_ms = COALESCE(paused_at_ms, ?2) WHERE id = ?1",
            params![id, now.timestamp_millis()],
            Action::WebhookPaused,
            who,
            now,
        )
    } else {
        change(
            tx,
            "UPDATE webhooks SET paused_at_ms = NULL, disabled_at_ms = NULL,
                                 failing_since_ms = NULL
             WHERE id = ?1",
            [id],
            Action::WebhookResumed,
            who,
            now,
        )
    }
}

pub fn delete(
    tx: &Connection,
    id: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let deleted = tx
        .prepare_cached(&format!(
            "DELETE FROM webhooks WHERE id = ?1 RETURNING {WEBHOOK_COLUMNS}"
        ))?
        .query_row([id], webhook_from_row)
        .optional()?;
    if let Some(webhook) = &deleted {
        tx.prepare_cached("DELETE FROM webhook_deliveries WHERE endpoint_id = ?1")?
            .execute([id])?;
        let entry = recorded(Action::WebhookDeleted, webhook).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(deleted)
}

/// Queues `event`, due at `at`, for the endpoint `only`, or (without it) for every endpoint
/// that wants it; how many deliveries that made.
pub fn queue(
    tx: &Connection,
    only: Option<&str>,
    event: &Event,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, invitation_id,
                                             replaces_id, actor, at_ms, next_attempt_at_ms)
             SELECT ?1, id, ?2, ?3, ?4, ?5, ?6, ?6 FROM webhooks
             WHERE CASE WHEN ?7 IS NULL
                        THEN events = '' OR instr(' ' || events || ' ', ?8) > 0
                        ELSE id = ?7 END",
        )?
        .execute(params![
            event.message_id,
            event.event_type,
            event.invitation_id,
            event.replaces,
            event.actor,
            at.timestamp_millis(),
            only,
            event.wanted_by(),
        ])?)
}

pub fn redeliver(
    tx: &Connection,
    id: &str,
    seq: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let copied = tx
        .prepare_cached(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, event_type, invitation_id,
                                             replaces_id, actor, at_ms, payload,
                                             next_attempt_at_ms)
             SELECT message_id, endpoint_id, event_type, invitation_id, replaces_id, actor,
                    at_ms, payload, ?3
             FROM webhook_deliveries WHERE seq = ?1 AND endpoint_id = ?2",
        )?
        .execute(params![seq, id, now.timestamp_millis()])?;
    Ok(copied > 0)
}

pub fn deliveries(
    conn: &Connection,
    id: &str,
    limit: u32,
) -> Result<Option<Vec<WebhookDelivery>>, StoreError> {
    let known = conn
        .prepare_cached("SELECT 1 FROM webhooks WHERE id = ?1")?
        .exists([id])?;
    if !known {
        return Ok(None);
    }
    let mut statement = conn.prepare_cached(
        "SELECT seq, message_id, event_type, invitation_id, state, attempts, at_ms,
                last_attempt_at_ms, next_attempt_at_ms, last_status, last_error
         FROM webhook_deliveries WHERE endpoint_id = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![id, limit], |row| {
        let state: String = row.get(4)?;
        let status = delivery_status(&state);
        Ok(WebhookDelivery {
            id: delivery_id(row.get(0)?),
            message_id: row.get(1)?,
            event_type: row.get(2)?,
            invitation_id: row.get(3)?,
            status,
            attempts: row.get::<_, i64>(5)?.max(0) as u32,
            created_at: instant(row.get(6)?),
            last_attempt_at: row.get::<_, Option<i64>>(7)?.map(instant),
            next_attempt_at: (state == "pending").then(|| instant(row.get(8).unwrap_or(0))),
            response_status: row
                .get::<_, Option<i64>>(9)?
                .and_then(|code| u16::try_from(code).ok()),
            error: row.get(10)?,
        })
    })?;
    Ok(Some(rows.collect::<Result<_, _>>()?))
}

pub fn note_expired(tx: &Connection, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let now_ms = now.timestamp_millis();
    let ids = tx
        .prepare_cached(
            "UPDATE invitations SET expiry_noted = 1
             WHERE state = 'open' AND expires_at_ms <= ?1 AND expiry_noted = 0
             RETURNING id",
        )?
        .query_map([now_ms], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for id in &ids {
        queue(tx, None, &Event::expired(id), now)?;
    }
    Ok(ids.len() as u64)
}

/// Whether an open invitation has expired by `now` without being noted: only then has
/// [`note_expired`] anything to write.
pub fn any_unnoted_expiry(conn: &Connection, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM invitations
             WHERE state = 'open' AND expires_at_ms <= ?1 AND expiry_noted = 0",
        )?
        .exists([now.timestamp_millis()])?)
}

/// Due deliveries of the endpoints that are neither paused nor disabled, each among the first
/// [`WEBHOOK_IN_FLIGHT_PER_ENDPOINT`] due of its endpoint (those in flight, or waiting for
/// their lease to run out, count): one endpoint's backlog never takes every slot.
static DUE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.endpoint_id
         WHERE d.state = 'pending' AND d.next_attempt_at_ms <= ?1
           AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= ?1)
           AND w.paused_at_ms IS NULL AND w.disabled_at_ms IS NULL
           AND (SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries e
                                      WHERE e.endpoint_id = d.endpoint_id
                                        AND e.state = 'pending' AND e.next_attempt_at_ms <= ?1
                                        AND (e.next_attempt_at_ms, e.seq)
                                            < (d.next_attempt_at_ms, d.seq)
                                      LIMIT {WEBHOOK_IN_FLIGHT_PER_ENDPOINT})) < {WEBHOOK_IN_FLIGHT_PER_ENDPOINT}"
    )
});

/// Whether a delivery is due at `now`: only then has [`claim`] anything to write.
pub fn any_due(conn: &Connection, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT 1 {}", *DUE))?
        .exists([now.timestamp_millis()])?)
}

pub fn claim(
    tx: &Connection,
    organization: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    count: u32,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let now_ms = now.timestamp_millis();
    let claimed = tx
        .prepare_cached(&format!(
            "UPDATE webhook_deliveries SET lease_until_ms = ?2, attempts = attempts + 1,
                                           last_attempt_at_ms = ?1
             WHERE seq IN (SELECT d.seq {} ORDER BY d.next_attempt_at_ms, d.seq LIMIT ?3)
             RETURNING seq, message_id, endpoint_id, event_type, invitation_id, replaces_id,
                       actor, at_ms, payload, attempts",
            *DUE
        ))?
        .query_map(
            params![now_ms, lease_until.timestamp_millis(), count],
            |row| {
                Ok(ClaimedDelivery {
                    seq: row.get(0)?,
                    message_id: row.get(1)?,
                    endpoint_id: row.get(2)?,
                    url: String::new(),
                    secrets: Vec::new(),
                    event_type: row.get(3)?,
                    invitation_id: row.get(4)?,
                    replaces: row.get(5)?,
                    actor: row.get(6)?,
                    at: instant(row.get(7)?),
                    payload: row.get(8)?,
                    attempts: row.get::<_, i64>(9)?.max(0) as u32,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut targets = tx.prepare_cached(
        "SELECT url, secret, CASE WHEN previous_until_ms > ?2 THEN previous_secret END
         FROM webhooks WHERE id = ?1",
    )?;
    claimed
        .into_iter()
        .map(|mut delivery| {
            let (url, secret, previous) =
                targets.query_row(params![delivery.endpoint_id, now_ms], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                })?;
            delivery.url = url;
            delivery.secrets = std::iter::once(secret).chain(previous).collect();
            // Its body made at its first attempt, in the claim's transaction, and kept.
            if delivery.payload.is_none() {
                let invitation = match &delivery.invitation_id {
                    Some(id) => super::invitations::get(tx, organization, id, true)?,
                    None => None,
                };
                let body = payload(&delivery, invitation.as_ref());
                tx.prepare_cached("UPDATE webhook_deliveries SET payload = ?2 WHERE seq = ?1")?
                    .execute(params![delivery.seq, body])?;
                delivery.payload = Some(body);
            }
            Ok(delivery)
        })
        .collect()
}

pub fn settle(
    tx: &Connection,
    seq: i64,
    endpoint_id: &str,
    settlement: &Settlement,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (state, status, error, next) = stored(settlement);
    let now_ms = now.timestamp_millis();
    tx.prepare_cached(
        "UPDATE webhook_deliveries
         SET state = ?2, last_status = ?3, last_error = ?4,
             next_attempt_at_ms = COALESCE(?5, next_attempt_at_ms), lease_until_ms = NULL
         WHERE seq = ?1",
    )?
    .execute(params![seq, state, status, error, next])?;
    if state == "delivered" {
        tx.prepare_cached("UPDATE webhooks SET failing_since_ms = NULL WHERE id = ?1")?
            .execute([endpoint_id])?;
        return Ok(false);
    }
    tx.prepare_cached(
        "UPDATE webhooks SET failing_since_ms = COALESCE(failing_since_ms, ?2) WHERE id = ?1",
    )?
    .execute(params![endpoint_id, now_ms])?;
    let disabled = change(
        tx,
        "UPDATE webhooks SET disabled_at_ms = ?2
         WHERE id = ?1 AND disabled_at_ms IS NULL AND failing_since_ms <= ?3",
        params![
            endpoint_id,
            now_ms,
            settlement.disable_failing_since.timestamp_millis()
        ],
        Action::WebhookDisabled,
        who,
        now,
    )?;
    Ok(disabled.is_some())
}

pub fn prune(tx: &Connection, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(tx
        .prepare_cached("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND at_ms < ?1")?
        .execute([before.timestamp_millis()])? as u64)
}
