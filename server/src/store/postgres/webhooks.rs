//! Webhook endpoints in PostgreSQL (see [`crate::store::webhooks`]).

use chrono::{DateTime, Utc};
use org_invitations_core::webhook::Webhook;
use tokio_postgres::Row;

use super::PostgresBackend;
use super::audit::insert_audit;
use crate::store::audit::{Action, Entry, Who};
use crate::store::webhooks::{Endpoint, recorded};
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
    }
}

pub(super) async fn list(backend: &PostgresBackend) -> Result<Vec<Webhook>, StoreError> {
    Ok(backend
        .client()
        .await?
        .query(
            "SELECT id, url, events, created_at_ms FROM webhooks ORDER BY created_at_ms, id",
            &[],
        )
        .await?
        .iter()
        .map(webhook_from_row)
        .collect())
}

pub(super) async fn rotate(
    backend: &PostgresBackend,
    id: &str,
    secret: &str,
    previous_until: DateTime<Utc>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let rotated = tx
        .query_opt(
            "UPDATE webhooks SET previous_secret = secret, previous_until_ms = $3, secret = $2
             WHERE id = $1 RETURNING id, url, events, created_at_ms",
            &[&id, &secret, &previous_until.timestamp_millis()],
        )
        .await?
        .map(|row| webhook_from_row(&row));
    if let Some(webhook) = &rotated {
        let entry = recorded(Action::WebhookRotated, webhook).storable();
        insert_audit(&tx, now, who, &entry).await?;
    }
    tx.commit().await?;
    Ok(rotated)
}

pub(super) async fn delete(
    backend: &PostgresBackend,
    id: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let mut client = backend.client().await?;
    let tx = client.transaction().await?;
    let deleted = tx
        .query_opt(
            "DELETE FROM webhooks WHERE id = $1 RETURNING id, url, events, created_at_ms",
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
