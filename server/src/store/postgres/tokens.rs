//! Named API tokens in PostgreSQL, by the hash of the token (see [`crate::store::tokens`]).

use chrono::{DateTime, Utc};
use tokio_postgres::error::SqlState;

use super::PostgresBackend;
use crate::store::StoreError;
use crate::store::backend::{StoredToken, TokenRow};
use org_invitations_core::role::Role;

pub(super) async fn insert(
    backend: &PostgresBackend,
    name: &str,
    role: Role,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = backend
        .client()
        .await?
        .execute(
            "INSERT INTO api_tokens (name, role, token_hash, created_at_ms)
             VALUES ($1, $2, $3, $4)",
            &[&name, &role.name(), &token_hash, &now.timestamp_millis()],
        )
        .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn by_hash(
    backend: &PostgresBackend,
    token_hash: &str,
) -> Result<Option<StoredToken>, StoreError> {
    let client = backend.client().await?;
    let statement = client
        .prepare_cached("SELECT name, role, token_hash FROM api_tokens WHERE token_hash = $1")
        .await?;
    Ok(client
        .query_opt(&statement, &[&token_hash])
        .await?
        .map(|row| StoredToken {
            name: row.get(0),
            role: row.get(1),
            token_hash: row.get(2),
        }))
}

pub(super) async fn touch(
    backend: &PostgresBackend,
    name: &str,
    now: DateTime<Utc>,
    unless_noted_after: DateTime<Utc>,
) -> Result<(), StoreError> {
    let client = backend.client().await?;
    let touch = client
        .prepare_cached(
            "UPDATE api_tokens SET last_used_at_ms = $2
             WHERE name = $1 AND (last_used_at_ms IS NULL OR last_used_at_ms <= $3)",
        )
        .await?;
    client
        .execute(
            &touch,
            &[
                &name,
                &now.timestamp_millis(),
                &unless_noted_after.timestamp_millis(),
            ],
        )
        .await?;
    Ok(())
}

pub(super) async fn list(backend: &PostgresBackend) -> Result<Vec<TokenRow>, StoreError> {
    let rows = backend
        .client()
        .await?
        .query(
            "SELECT name, role, created_at_ms, last_used_at_ms FROM api_tokens ORDER BY name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| TokenRow {
            name: row.get(0),
            role: row.get(1),
            created_at_ms: row.get(2),
            last_used_at_ms: row.get(3),
        })
        .collect())
}

pub(super) async fn delete(backend: &PostgresBackend, name: &str) -> Result<bool, StoreError> {
    let removed = backend
        .client()
        .await?
        .execute("DELETE FROM api_tokens WHERE name = $1", &[&name])
        .await?;
    Ok(removed > 0)
}
