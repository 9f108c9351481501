//! PostgreSQL's schema: the database brought to the newest migration
//! (`crate::store::migrations`) at start, under an advisory lock, so instances starting at once
//! migrate it once.

use deadpool_postgres::Pool;

use crate::ids;
use crate::store::StoreError;
use crate::store::migrations::{self, Found, HISTORY_TABLE};

/// The newest schema this server makes: the number of PostgreSQL's last migration.
pub fn current() -> i64 {
    static CURRENT: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *CURRENT.get_or_init(|| migrations::latest(&migrations::postgres()))
}

/// Serialises migrations between instances starting at once (any number unique to this use).
const MIGRATION_LOCK: i64 = 0x6f72_675f_696e_7669;

/// Brings the schema up to [`current`] under [`MIGRATION_LOCK`] (held by this session until
/// it is done, however that ends); returns the organization's id.
pub(super) async fn migrate(pool: &Pool, described: &str) -> Result<String, StoreError> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let migrated = migrate_locked(&mut client, described).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    let organization_id = migrated?;
    unlocked?;
    Ok(organization_id)
}

async fn migrate_locked(
    client: &mut deadpool_postgres::Client,
    described: &str,
) -> Result<String, StoreError> {
    let latest = current();
    let found = Found {
        history: history(client).await?,
        legacy: legacy(client).await?,
    };
    let postgres: &mut tokio_postgres::Client = client.as_mut();
    if let Some(adopted) = migrations::adoption(found, latest, described)? {
        migrations::postgres()
            .set_target(adopted)
            .run_async(postgres)
            .await?;
    }
    migrations::postgres().run_async(postgres).await?;
    // What releases before the history read: they refuse a database with a newer number.
    let tx = client.transaction().await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    // A row a step, as those releases wrote it.
    tx.execute(
        "INSERT INTO schema_version (version)
         SELECT step FROM generate_series(1::BIGINT, $1) AS step
         EXCEPT SELECT version FROM schema_version",
        &[&latest],
    )
    .await?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('organization_id', $1) ON CONFLICT (key) DO NOTHING",
        &[&ids::organization_id()],
    )
    .await?;
    let organization_id: String = tx
        .query_one("SELECT value FROM meta WHERE key = 'organization_id'", &[])
        .await?
        .get(0);
    tx.commit().await?;
    Ok(organization_id)
}

/// The newest migration in refinery's history, or `None` when the database has no history.
async fn history(client: &deadpool_postgres::Client) -> Result<Option<i64>, StoreError> {
    let kept: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&HISTORY_TABLE])
        .await?
        .get(0);
    if !kept {
        return Ok(None);
    }
    Ok(Some(
        client
            .query_one(
                &format!("SELECT COALESCE(MAX(version), 0)::BIGINT FROM {HISTORY_TABLE}"),
                &[],
            )
            .await?
            .get(0),
    ))
}

/// The number releases before the history kept (0 for none).
async fn legacy(client: &deadpool_postgres::Client) -> Result<i64, StoreError> {
    let kept: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await?
        .get(0);
    if !kept {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
            &[],
        )
        .await?
        .get(0))
}

/// The newest migration applied to the database, in one query; 0 before any.
pub(super) async fn applied(backend: &super::PostgresBackend) -> Result<i64, StoreError> {
    Ok(backend
        .client()
        .await?
        .query_one(
            &format!("SELECT COALESCE(MAX(version), 0)::BIGINT FROM {HISTORY_TABLE}"),
            &[],
        )
        .await?
        .get(0))
}
