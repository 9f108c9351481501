//! Webhook endpoints in SQLite (see [`crate::store::webhooks`]).

use chrono::{DateTime, Utc};
use org_invitations_core::webhook::Webhook;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::audit::{Action, Entry, Who};
use crate::store::webhooks::{Endpoint, recorded};
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
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Webhook>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, url, events, created_at_ms FROM webhooks ORDER BY created_at_ms, id",
    )?;
    let rows = statement.query_map([], webhook_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn rotate(
    tx: &Connection,
    id: &str,
    secret: &str,
    previous_until: DateTime<Utc>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let rotated = tx
        .prepare_cached(
            "UPDATE webhooks SET previous_secret = secret, previous_until_ms = ?3, secret = ?2
             WHERE id = ?1 RETURNING id, url, events, created_at_ms",
        )?
        .query_row(
            params![id, secret, previous_until.timestamp_millis()],
            webhook_from_row,
        )
        .optional()?;
    if let Some(webhook) = &rotated {
        let entry = recorded(Action::WebhookRotated, webhook).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(rotated)
}

pub fn delete(
    tx: &Connection,
    id: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let deleted = tx
        .prepare_cached(
            "DELETE FROM webhooks WHERE id = ?1 RETURNING id, url, events, created_at_ms",
        )?
        .query_row([id], webhook_from_row)
        .optional()?;
    if let Some(webhook) = &deleted {
        let entry = recorded(Action::WebhookDeleted, webhook).storable();
        super::audit::insert(tx, now, who, &entry)?;
    }
    Ok(deleted)
}
