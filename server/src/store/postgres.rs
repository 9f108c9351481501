//! The store in PostgreSQL, for several server instances sharing one database
//! (`--database-url postgres://…`). All of PostgreSQL's SQL lives in this file: the migrations
//! and every query. tokio-postgres is asynchronous, so nothing here blocks a worker; the pool
//! (deadpool) replaces a connection that broke, so a database restart costs the requests made
//! while it is down a 503 each and nothing after.
//!
//! Several instances may start at once: migrations run under a transaction-scoped advisory
//! lock, so one applies them and the others find them done.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::comparison_key;
use org_invitations_core::invitation::INVITATION_LIFETIME;
use org_invitations_core::wire::AuditRecord;
use subtle::ConstantTimeEq;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::audit::{Action, Entry, Filter, Who};
use super::text::{storable, storable_opt};
use super::tokens::{LAST_USED_RESOLUTION_MS, TokenInfo, TokenStoreError, check_name};
use super::{
    CreateRefusal, ListFilter, Page, SESSION_LIFETIME, Storage, StoreError, audit, instant,
    sha256_hex,
};
use crate::identity::Role;
use crate::ids;

/// The migrations, in order: migration `n` (from 1) brings a database from schema `n - 1` to
/// `n`. Applied ones are never edited; a change is a new one at the end.
const MIGRATIONS: &[&str] = &[
    // 1: invitations, the audit trail, sessions and named tokens, as SQLite's schema 2 holds.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- seq gives listings a stable order that new rows only ever extend.
    CREATE TABLE invitations (
        seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id             TEXT NOT NULL UNIQUE,
        email          TEXT NOT NULL,
        email_key      TEXT NOT NULL,
        created_at_ms  BIGINT NOT NULL,
        expires_at_ms  BIGINT NOT NULL,
        accepted_at_ms BIGINT,
        -- open: pending or expired; revoked: invalidated by an admin; superseded: expired and
        -- replaced by a newer invitation to the same address.
        state          TEXT NOT NULL DEFAULT 'open'
                       CHECK (state IN ('open', 'revoked', 'superseded')),
        closed_at_ms   BIGINT
    );
    -- The database, not the handler, guarantees one open invitation per address, also when
    -- two instances create for one new address at once.
    CREATE UNIQUE INDEX one_open_invitation_per_email
        ON invitations (email_key) WHERE state = 'open';
    CREATE INDEX open_invitations_by_expiry
        ON invitations (expires_at_ms) WHERE state = 'open';

    CREATE TABLE audit (
        seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at_ms         BIGINT NOT NULL,
        actor         TEXT NOT NULL,
        method        TEXT NOT NULL,
        action        TEXT NOT NULL
                      CHECK (action IN ('create', 'invalidate', 'resend', 'denied')),
        email         TEXT,
        email_key     TEXT,
        invitation_id TEXT,
        replaces_id   TEXT,
        -- NULL while the outcome is not known (a gateway request in flight, or cut short).
        status        INTEGER,
        detail        TEXT,
        request_id    TEXT NOT NULL,
        client        TEXT
    );
    CREATE INDEX audit_by_email ON audit (email_key, seq);
    CREATE INDEX audit_by_actor ON audit (actor, seq);
    CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
    $$;
    CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit
        FOR EACH ROW WHEN (OLD.status IS NOT NULL) EXECUTE FUNCTION audit_is_append_only();

    CREATE TABLE sessions (
        id_hash       TEXT PRIMARY KEY,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL
    );

    CREATE TABLE api_tokens (
        name            TEXT PRIMARY KEY,
        role            TEXT NOT NULL CHECK (role IN ('viewer', 'inviter', 'admin')),
        token_hash      TEXT NOT NULL UNIQUE,
        created_at_ms   BIGINT NOT NULL,
        last_used_at_ms BIGINT
    );
    ",
    // 2: listings that read only what they show. Counting the open invitations on every list
    // request scanned all of them (2 ms at 10,000), and a page was sorted out of all of them:
    // the count is now kept by the database itself, in 16 shards so that concurrent writers
    // (each connection adds to its own) never wait for one another, and pages come from an
    // index in listing order.
    "
    CREATE TABLE open_count (
        shard INTEGER PRIMARY KEY,
        n     BIGINT NOT NULL
    );
    INSERT INTO open_count (shard, n) SELECT shard, 0 FROM generate_series(0, 15) AS shard;
    UPDATE open_count SET n = (SELECT COUNT(*) FROM invitations WHERE state = 'open')
        WHERE shard = 0;
    CREATE FUNCTION count_open_invitations() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            delta BIGINT := 0;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF NEW.state = 'open' THEN delta := 1; END IF;
            ELSIF TG_OP = 'DELETE' THEN
                IF OLD.state = 'open' THEN delta := -1; END IF;
            ELSIF OLD.state = 'open' AND NEW.state <> 'open' THEN
                delta := -1;
            ELSIF OLD.state <> 'open' AND NEW.state = 'open' THEN
                delta := 1;
            END IF;
            IF delta <> 0 THEN
                UPDATE open_count SET n = n + delta WHERE shard = pg_backend_pid() % 16;
            END IF;
            RETURN NULL;
        END
    $$;
    CREATE TRIGGER count_open_invitations
        AFTER INSERT OR UPDATE OF state OR DELETE ON invitations
        FOR EACH ROW EXECUTE FUNCTION count_open_invitations();
    CREATE INDEX open_invitations_in_order ON invitations (seq) WHERE state = 'open';
    ",
];

/// The schema this server knows: the number of migrations.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Serialises migrations between instances starting at once (any number unique to this use).
const MIGRATION_LOCK: i64 = 0x6f72_675f_696e_7669;

/// Connections per instance. Two or three instances stay well below PostgreSQL's default of
/// 100.
const POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for one to be made, before it is told 503.
const CONNECTION_WAIT: Duration = Duration::from_secs(5);

/// How often a create retries after PostgreSQL broke a deadlock or a serialisation conflict
/// by failing its transaction.
const MOST_CONFLICT_RETRIES: usize = 3;

/// The store on one PostgreSQL database.
pub struct PostgresStorage {
    pool: Pool,
    organization_id: String,
    /// [`describe`] of the configuration.
    described: String,
}

impl PostgresStorage {
    /// Connects, applies what migrations are missing, and reads (or makes) the organization's
    /// id. A database whose schema is newer than this server's is refused untouched.
    pub async fn open(url: &str, ca_file: Option<&Path>) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|err: tokio_postgres::Error| StoreError::BadUrl(err.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECTION_WAIT);
        }
        config.application_name("org-invitations-server");
        let described = describe(&config);
        let manager = Manager::from_config(
            config,
            tls(ca_file)?,
            ManagerConfig {
                // A connection is checked (cheaply) before reuse, so one broken by a database
                // restart is replaced rather than handed to a request.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECTION_WAIT))
            .create_timeout(Some(CONNECTION_WAIT))
            .recycle_timeout(Some(CONNECTION_WAIT))
            .build()
            .map_err(|err| StoreError::BadUrl(err.to_string()))?;
        let organization_id = migrate(&pool, &described).await.map_err(|err| match err {
            StoreError::Unavailable(why) if why.contains("certificate") => {
                StoreError::Unavailable(format!(
                    "{why} (the database's certificate is not trusted: name its CA with \
                     --database-ca, or put sslmode=disable in the URL on a network you trust)"
                ))
            }
            other => other,
        })?;
        Ok(Self {
            pool,
            organization_id,
            described,
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }
}

/// TLS as the database offers it, always with its certificate checked: against `ca_file`'s
/// certificates when given, else the public roots.
fn tls(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let bad = |reason: String| StoreError::BadCa {
                path: path.display().to_string(),
                reason,
            };
            for certificate in
                CertificateDer::pem_file_iter(path).map_err(|err| bad(err.to_string()))?
            {
                let certificate = certificate.map_err(|err| bad(err.to_string()))?;
                roots.add(certificate).map_err(|err| bad(err.to_string()))?;
            }
            if roots.is_empty() {
                return Err(bad("it holds no PEM certificate".into()));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| StoreError::Unavailable(err.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Where a configuration points, without its user or password: for messages.
pub fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config.get_dbname().unwrap_or("(the user's)");
    format!("PostgreSQL database {database} on {host}:{port}")
}

/// Brings the schema up to [`CURRENT`] in one transaction under [`MIGRATION_LOCK`]; returns the
/// organization's id.
async fn migrate(pool: &Pool, described: &str) -> Result<String, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version",
            &[],
        )
        .await?
        .get(0);
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            database: described.to_owned(),
            found,
            supported: CURRENT,
        });
    }
    for (done, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(migration).await?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(done as i64 + 1)],
        )
        .await?;
    }
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

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        // Not an answer from the database (a connection that broke or could not be made), or
        // the database saying it is shutting down, starting or out of connections: worth
        // trying again. Anything else is an error of the query itself.
        let unavailable = match err.code() {
            None => err.as_db_error().is_none(),
            Some(code) => matches!(&code.code()[..2], "08" | "53" | "57"),
        };
        if unavailable {
            StoreError::Unavailable(with_causes(&err))
        } else {
            StoreError::Postgres(err)
        }
    }
}

/// An error's message followed by its causes' (a TLS handshake's "invalid peer certificate:
/// UnknownIssuer" is a cause, not the message).
pub(super) fn with_causes(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let said = next.to_string();
        if !message.contains(&said) {
            message.push_str(": ");
            message.push_str(&said);
        }
        cause = next.source();
    }
    message
}

impl From<PoolError> for StoreError {
    fn from(err: PoolError) -> Self {
        // Whatever kept the pool from handing out a connection (none could be made, or none
        // came free in time) is a passing state of the database or the load.
        StoreError::Unavailable(with_causes(&err))
    }
}

/// Reads `id, email, created_at_ms, expires_at_ms, accepted_at_ms` starting at column `first`.
fn invitation_from_row(organization_id: &str, row: &Row, first: usize) -> OrganizationInvitation {
    OrganizationInvitation {
        id: row.get(first),
        email: row.get(first + 1),
        organization_id: organization_id.to_owned(),
        created_at: instant(row.get(first + 2)),
        expires_at: instant(row.get(first + 3)),
        accepted_at: row.get::<_, Option<i64>>(first + 4).map(instant),
    }
}

/// Writes one audit record in `tx` (the change's own, when it goes with one); returns its
/// number.
async fn insert_audit(
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
    let (who, entry) = (who.storable(), entry.storable());
    let email_key = entry.email.as_deref().map(comparison_key);
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
    Ok(row.get(0))
}

/// Whether PostgreSQL failed a transaction only to break a deadlock or a conflict: running it
/// again is right.
fn is_conflict(err: &StoreError) -> bool {
    matches!(err, StoreError::Postgres(err) if err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    }))
}

impl PostgresStorage {
    /// One attempt at [`Storage::create_many`].
    async fn try_create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now_ms = now.timestamp_millis();
        let expires_ms = (now + INVITATION_LIFETIME).timestamp_millis();
        // An expired invitation no longer blocks a new one to the same address.
        let supersede = tx
            .prepare_cached(
                "UPDATE invitations SET state = 'superseded', closed_at_ms = $2
                 WHERE email_key = $1 AND state = 'open' AND expires_at_ms <= $2",
            )
            .await?;
        // A pending one does: the unique index decides, also against other instances.
        let insert = tx
            .prepare_cached(
                "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (email_key) WHERE state = 'open' DO NOTHING
                 RETURNING id",
            )
            .await?;
        // Addresses are taken in the order of their keys, so two requests for overlapping
        // addresses wait for each other in one order and never deadlock.
        let keys: Vec<String> = emails.iter().map(|email| comparison_key(email)).collect();
        let mut order: Vec<usize> = (0..emails.len()).collect();
        order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
        let mut outcomes = vec![Err(CreateRefusal::AlreadyPending); emails.len()];
        for index in order {
            let key = &keys[index];
            tx.execute(&supersede, &[key, &now_ms]).await?;
            let id = ids::invitation_id();
            let inserted = tx
                .query_opt(&insert, &[&id, &emails[index], key, &now_ms, &expires_ms])
                .await?;
            if inserted.is_some() {
                outcomes[index] = Ok(id);
            }
        }
        if let Some((who, refused)) = audit {
            for entry in refused {
                insert_audit(&tx, now, who, entry).await?;
            }
            for (email, outcome) in emails.iter().zip(&outcomes) {
                insert_audit(&tx, now, who, &Entry::created(email, outcome)).await?;
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

#[async_trait::async_trait]
impl Storage for PostgresStorage {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }

    fn describe(&self) -> String {
        self.described.clone()
    }

    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let mut tries = 0;
        loop {
            match self.try_create_many(emails, now, audit).await {
                Err(err) if is_conflict(&err) && tries < MOST_CONFLICT_RETRIES => tries += 1,
                outcome => return outcome,
            }
        }
    }

    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, StoreError> {
        let include_expired = filter.include_expired;
        let now_ms = now.timestamp_millis();
        let limit = i64::from(count) + 1;
        let email_key = storable_opt(filter.email_key.as_deref());
        let email_key = email_key.as_deref();
        let mut parameters: Vec<&(dyn ToSql + Sync)> =
            vec![&include_expired, &now_ms, &after_seq, &limit];
        // One statement, so the page and the total come from one snapshot, in one round trip.
        // The total row comes even when the page is empty.
        let statement = match &email_key {
            None => {
                "WITH page AS (
                     SELECT seq, id, email, created_at_ms, expires_at_ms, accepted_at_ms
                     FROM invitations
                     WHERE state = 'open' AND seq > $3 AND ($1 OR expires_at_ms > $2)
                     ORDER BY seq LIMIT $4)
                 SELECT (SELECT SUM(n) FROM open_count)::BIGINT - CASE WHEN $1 THEN 0 ELSE
                            (SELECT COUNT(*) FROM invitations
                             WHERE state = 'open' AND expires_at_ms <= $2) END,
                        page.*
                 FROM (SELECT 1) AS total LEFT JOIN page ON true
                 ORDER BY page.seq"
            }
            // At most one open invitation per address: counting is cheap.
            Some(key) => {
                parameters.push(key);
                "WITH page AS (
                     SELECT seq, id, email, created_at_ms, expires_at_ms, accepted_at_ms
                     FROM invitations
                     WHERE state = 'open' AND email_key = $5 AND seq > $3
                       AND ($1 OR expires_at_ms > $2)
                     ORDER BY seq LIMIT $4)
                 SELECT (SELECT COUNT(*) FROM invitations
                         WHERE state = 'open' AND email_key = $5
                           AND ($1 OR expires_at_ms > $2)),
                        page.*
                 FROM (SELECT 1) AS total LEFT JOIN page ON true
                 ORDER BY page.seq"
            }
        };
        let client = self.client().await?;
        let statement = client.prepare_cached(statement).await?;
        let rows = client.query(&statement, &parameters).await?;
        let total: i64 = rows.first().map_or(0, |row| row.get(0));
        let mut fetched: Vec<&Row> = rows
            .iter()
            .filter(|row| row.get::<_, Option<i64>>(1).is_some())
            .collect();
        let more = fetched.len() > count as usize;
        fetched.truncate(count as usize);
        Ok(Page {
            last_seq_if_more: if more {
                fetched.last().map(|row| row.get(1))
            } else {
                None
            },
            invitations: fetched
                .iter()
                .map(|row| invitation_from_row(&self.organization_id, row, 2))
                .collect(),
            total: total.max(0) as u64,
        })
    }

    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT id, email, created_at_ms, expires_at_ms, accepted_at_ms FROM invitations
                 WHERE id = $1 AND state = 'open'",
            )
            .await?;
        Ok(client
            .query_opt(&statement, &[&storable(id).as_ref()])
            .await?
            .map(|row| invitation_from_row(&self.organization_id, &row, 0)))
    }

    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let found = tx
            .query_opt(
                "UPDATE invitations SET state = 'revoked', closed_at_ms = $2
                 WHERE id = $1 AND state = 'open'
                 RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                &[&storable(id).as_ref(), &now.timestamp_millis()],
            )
            .await?
            .map(|row| invitation_from_row(&self.organization_id, &row, 0));
        if let Some(who) = audit {
            let email = found.as_ref().map(|invitation| invitation.email.clone());
            insert_audit(&tx, now, who, &Entry::on_id(Action::Invalidate, id, email)).await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let replaced = tx
            .query_opt(
                "UPDATE invitations SET state = 'superseded', closed_at_ms = $2
                 WHERE id = $1 AND state = 'open'
                 RETURNING email, email_key",
                &[&storable(id).as_ref(), &now.timestamp_millis()],
            )
            .await?
            .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)));
        let fresh = match &replaced {
            Some((email, key)) => Some(invitation_from_row(
                &self.organization_id,
                &tx.query_one(
                    "INSERT INTO invitations (id, email, email_key, created_at_ms, expires_at_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, email, created_at_ms, expires_at_ms, accepted_at_ms",
                    &[
                        &ids::invitation_id(),
                        email,
                        key,
                        &now.timestamp_millis(),
                        &(now + INVITATION_LIFETIME).timestamp_millis(),
                    ],
                )
                .await?,
                0,
            )),
            None => None,
        };
        if let Some(who) = audit {
            let email = replaced.as_ref().map(|(email, _)| email.clone());
            let entry = Entry::resent(id, email, fresh.as_ref().map(|fresh| fresh.id.clone()));
            insert_audit(&tx, now, who, &entry).await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }

    async fn count_all(&self) -> Result<u64, StoreError> {
        let total: i64 = self
            .client()
            .await?
            .query_one("SELECT COUNT(*) FROM invitations", &[])
            .await?
            .get(0);
        Ok(total as u64)
    }

    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut numbers = Vec::with_capacity(entries.len());
        for entry in entries {
            numbers.push(insert_audit(&tx, at, who, entry).await?);
        }
        tx.commit().await?;
        Ok(numbers)
    }

    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let update = tx
            .prepare_cached(
                "UPDATE audit SET status = $2, detail = $3, invitation_id = $4,
                        email = COALESCE($5, email)
                 WHERE seq = $1 AND status IS NULL",
            )
            .await?;
        for (seq, entry) in outcomes {
            let entry = entry.storable();
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

    async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        count: u32,
    ) -> Result<audit::Page, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let conditions = "($1::TEXT IS NULL OR email_key = $1) AND ($2::TEXT IS NULL OR actor = $2)
             AND ($3::TEXT IS NULL OR action = $3) AND ($4::BIGINT IS NULL OR at_ms >= $4)
             AND ($5::BIGINT IS NULL OR at_ms < $5)";
        let filter = filter.storable();
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
        let mut fetched = tx
            .query(
                &page,
                &[
                    &email_key,
                    &actor,
                    &action,
                    &since,
                    &until,
                    &before_seq,
                    &(i64::from(count) + 1),
                ],
            )
            .await?;
        let more = fetched.len() > count as usize;
        fetched.truncate(count as usize);
        let total = tx
            .prepare_cached(&format!("SELECT COUNT(*) FROM audit WHERE {conditions}"))
            .await?;
        let total: i64 = tx
            .query_one(&total, &[&email_key, &actor, &action, &since, &until])
            .await?
            .get(0);
        tx.commit().await?;
        Ok(audit::Page {
            next_before_seq: if more {
                fetched.last().map(|row| row.get(0))
            } else {
                None
            },
            records: fetched
                .iter()
                .map(|row| AuditRecord {
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
                })
                .collect(),
            total: total as u64,
        })
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "DELETE FROM audit WHERE at_ms < $1",
                &[&before.timestamp_millis()],
            )
            .await?)
    }

    async fn create_session(&self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let id = ids::session_id();
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM sessions WHERE expires_at_ms <= $1",
                &[&now.timestamp_millis()],
            )
            .await?;
        client
            .execute(
                "INSERT INTO sessions (id_hash, created_at_ms, expires_at_ms) VALUES ($1, $2, $3)",
                &[
                    &sha256_hex(&id),
                    &now.timestamp_millis(),
                    &(now + SESSION_LIFETIME).timestamp_millis(),
                ],
            )
            .await?;
        Ok(id)
    }

    async fn session_is_valid(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT 1 FROM sessions WHERE id_hash = $1 AND expires_at_ms > $2")
            .await?;
        Ok(client
            .query_opt(&statement, &[&sha256_hex(id), &now.timestamp_millis()])
            .await?
            .is_some())
    }

    async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                &[&sha256_hex(id)],
            )
            .await?;
        Ok(())
    }

    async fn create_token(
        &self,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, TokenStoreError> {
        check_name(name)?;
        let token = ids::api_token();
        let inserted = self
            .client()
            .await?
            .execute(
                "INSERT INTO api_tokens (name, role, token_hash, created_at_ms)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &name,
                    &role.name(),
                    &sha256_hex(&token),
                    &now.timestamp_millis(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(token),
            Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(TokenStoreError::NameTaken(name.to_owned()))
            }
            Err(err) => Err(StoreError::from(err).into()),
        }
    }

    async fn find_token(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Role)>, StoreError> {
        let hash = sha256_hex(presented);
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT name, role, token_hash FROM api_tokens WHERE token_hash = $1")
            .await?;
        let Some(row) = client.query_opt(&statement, &[&hash]).await? else {
            return Ok(None);
        };
        let (name, role, stored): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        if !bool::from(stored.as_bytes().ct_eq(hash.as_bytes())) {
            return Ok(None);
        }
        let now_ms = now.timestamp_millis();
        let touch = client
            .prepare_cached(
                "UPDATE api_tokens SET last_used_at_ms = $2
                 WHERE name = $1 AND (last_used_at_ms IS NULL OR last_used_at_ms <= $3)",
            )
            .await?;
        client
            .execute(
                &touch,
                &[&name, &now_ms, &(now_ms - LAST_USED_RESOLUTION_MS)],
            )
            .await?;
        Ok(Role::parse(&role).map(|role| (name, role)))
    }

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, role, created_at_ms, last_used_at_ms FROM api_tokens ORDER BY name",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| TokenInfo {
                name: row.get(0),
                role: Role::parse(row.get(1)).unwrap_or(Role::Viewer),
                created_at: instant(row.get(2)),
                last_used_at: row.get::<_, Option<i64>>(3).map(instant),
            })
            .collect())
    }

    async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let removed = self
            .client()
            .await?
            .execute("DELETE FROM api_tokens WHERE name = $1", &[&name])
            .await?;
        Ok(removed > 0)
    }
}
