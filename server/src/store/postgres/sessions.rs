//! Browser sessions in PostgreSQL, by the hash of their id (see [`crate::store::sessions`]).

use chrono::{DateTime, Utc};

use super::PostgresBackend;
use crate::store::StoreError;

pub(super) async fn insert(
    backend: &PostgresBackend,
    id_hash: &str,
    generation: &str,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), StoreError> {
    let client = backend.client().await?;
    client
        .execute(
            "DELETE FROM sessions WHERE expires_at_ms <= $1",
            &[&created.timestamp_millis()],
        )
        .await?;
    client
        .execute(
            "INSERT INTO sessions (id_hash, generation, created_at_ms, expires_at_ms)
             VALUES ($1, $2, $3, $4)",
            &[
                &id_hash,
                &generation,
                &created.timestamp_millis(),
                &expires.timestamp_millis(),
            ],
        )
        .await?;
    Ok(())
}

pub(super) async fn exists(
    backend: &PostgresBackend,
    id_hash: &str,
    generation: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let client = backend.client().await?;
    let statement = client
        .prepare_cached(
            "SELECT 1 FROM sessions
             WHERE id_hash = $1 AND generation = $2 AND expires_at_ms > $3",
        )
        .await?;
    Ok(client
        .query_opt(
            &statement,
            &[&id_hash, &generation, &now.timestamp_millis()],
        )
        .await?
        .is_some())
}

pub(super) async fn delete(backend: &PostgresBackend, id_hash: &str) -> Result<(), StoreError> {
    backend
        .client()
        .await?
        .execute("DELETE FROM sessions WHERE id_hash = $1", &[&id_hash])
        .await?;
    Ok(())
}

pub(super) async fn delete_all(backend: &PostgresBackend) -> Result<u64, StoreError> {
    Ok(backend
        .client()
        .await?
        .execute("DELETE FROM sessions", &[])
        .await?)
}
