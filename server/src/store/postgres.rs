//! The store's backend in PostgreSQL, for several server instances sharing one database
//! (`--database-url postgres://…`). All of PostgreSQL's SQL lives in this module: the
//! migrations in `migrations`, invitations in `invitations`, the audit trail in `audit`,
//! sessions in `sessions`, named tokens in `tokens`; `connect` reaches the database.
//! tokio-postgres is asynchronous, so nothing here blocks a worker; the pool (deadpool)
//! replaces a connection that broke, so a database restart costs the requests made while it is
//! down a 503 each and nothing after.
//!
//! Several instances may start at once: migrations run under a transaction-scoped advisory
//! lock, so one applies them and the others find them done.

mod answers;
mod audit;
mod connect;
mod invitations;
mod migrations;
mod outbox;
mod sessions;
mod tokens;
mod webhooks;

use std::path::Path;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::wire::AuditRecord;

pub(crate) use connect::with_causes;

use super::answers::{Answer, Linked};
use super::audit::{Entry, Filter, Who};
use super::backend::{Backend, PoolStatus, Rows, StoredToken, TokenRow};
use super::outbox::{ClaimLimits, ClaimedRow, Mail, Settled};
use super::webhooks::{ClaimedDelivery, Endpoint, Event as WebhookEvent, Settlement};
use super::{CreateRefusal, ListFilter, StoreError};
use crate::limits::{POSTGRES_CONNECTION_WAIT, POSTGRES_POOL_SIZE};
use connect::{describe, tls};
use migrations::migrate;
use org_invitations_core::role::Role;
use org_invitations_core::webhook::{Webhook, WebhookDelivery};

/// The store's backend on one PostgreSQL database.
pub struct PostgresBackend {
    pool: Pool,
    organization_id: String,
    /// [`describe`] of the configuration.
    described: String,
}

impl PostgresBackend {
    /// Connects, applies what migrations are missing, and reads (or makes) the organization's
    /// id. A database whose schema is newer than this server's is refused untouched.
    pub async fn open(url: &str, ca_file: Option<&Path>) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|err: tokio_postgres::Error| StoreError::BadUrl(err.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(POSTGRES_CONNECTION_WAIT);
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
            .max_size(POSTGRES_POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POSTGRES_CONNECTION_WAIT))
            .create_timeout(Some(POSTGRES_CONNECTION_WAIT))
            .recycle_timeout(Some(POSTGRES_CONNECTION_WAIT))
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

#[async_trait::async_trait]
impl Backend for PostgresBackend {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }

    fn describe(&self) -> String {
        self.described.clone()
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        migrations::applied(self).await
    }

    fn known_schema_version(&self) -> i64 {
        migrations::current()
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        let status = self.pool.status();
        Some(PoolStatus {
            size: status.size,
            idle: status.available,
            waiting: status.waiting,
        })
    }

    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
        mail: Option<&Mail>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        invitations::create_many(self, emails, now, audit, mail).await
    }

    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Rows<OrganizationInvitation>, StoreError> {
        invitations::list(self, filter, after_seq, limit, now).await
    }

    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        invitations::get(self, id, false).await
    }

    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        invitations::invalidate(self, id, now, audit).await
    }

    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
        mail: bool,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        invitations::resend(self, id, now, audit, mail).await
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limits: &ClaimLimits,
    ) -> Result<Vec<ClaimedRow>, StoreError> {
        outbox::claim(self, now, lease_until, limits).await
    }

    async fn mail_attempted_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        outbox::attempted_since(self, since).await
    }

    async fn mail_to_hold(&self, now: DateTime<Utc>, why: &str) -> Result<bool, StoreError> {
        outbox::to_hold(self, now, why).await
    }

    async fn hold_mail(
        &self,
        now: DateTime<Utc>,
        why: &str,
        crowded: Option<(u32, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        outbox::hold(self, now, why, crowded).await
    }

    async fn set_link(
        &self,
        invitation_id: &str,
        link_hash: &str,
        reminder: bool,
    ) -> Result<bool, StoreError> {
        outbox::set_link(self, invitation_id, link_hash, reminder).await
    }

    async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        before: chrono::TimeDelta,
        who: &Who,
    ) -> Result<u64, StoreError> {
        outbox::queue_reminders(self, now, before, who).await
    }

    async fn settle_mail(
        &self,
        seq: i64,
        settled: &Settled,
        audit: Option<(&Who, &Entry)>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        outbox::settle(self, seq, settled, audit, at).await
    }

    async fn by_link(&self, link_hash: &str) -> Result<Option<Linked>, StoreError> {
        answers::by_link(self, link_hash).await
    }

    async fn answer(
        &self,
        link_hash: &str,
        answer: Answer,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<Linked>, StoreError> {
        answers::answer(self, link_hash, answer, now, who).await
    }

    async fn replace_link(
        &self,
        id: &str,
        link_hash: &str,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<bool>, StoreError> {
        answers::replace_link(self, id, link_hash, now, who).await
    }

    async fn add_webhook(
        &self,
        endpoint: &Endpoint,
        who: &Who,
        entry: &Entry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        webhooks::add(self, endpoint, who, entry, now).await
    }

    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        webhooks::list(self).await
    }

    async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: DateTime<Utc>,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        webhooks::rotate(self, id, secret, previous_until, who, now).await
    }

    async fn delete_webhook(
        &self,
        id: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        webhooks::delete(self, id, who, now).await
    }

    async fn pause_webhook(
        &self,
        id: &str,
        paused: bool,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        webhooks::pause(self, id, paused, who, now).await
    }

    async fn queue_webhook_event(
        &self,
        id: &str,
        event: &WebhookEvent,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        webhooks::queue_alone(self, id, event, now).await
    }

    async fn redeliver_webhook(
        &self,
        id: &str,
        seq: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        webhooks::redeliver(self, id, seq, now).await
    }

    async fn webhook_deliveries(
        &self,
        id: &str,
        limit: u32,
    ) -> Result<Option<Vec<WebhookDelivery>>, StoreError> {
        webhooks::deliveries(self, id, limit).await
    }

    async fn note_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        webhooks::note_expired(self, now).await
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        count: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        webhooks::claim(self, now, lease_until, count).await
    }

    async fn settle_webhook_delivery(
        &self,
        seq: i64,
        endpoint_id: &str,
        settlement: &Settlement,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        webhooks::settle(self, seq, endpoint_id, settlement, who, now).await
    }

    async fn prune_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        webhooks::prune(self, before).await
    }

    async fn count_all(&self) -> Result<u64, StoreError> {
        invitations::count_all(self).await
    }

    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError> {
        audit::record(self, at, who, entries).await
    }

    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
        audit::complete(self, outcomes).await
    }

    async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Rows<AuditRecord>, StoreError> {
        audit::audit_list(self, filter, before_seq, limit).await
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        audit::prune(self, before).await
    }

    async fn insert_session(
        &self,
        id_hash: &str,
        generation: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sessions::insert(self, id_hash, generation, created, expires).await
    }

    async fn session_exists(
        &self,
        id_hash: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        sessions::exists(self, id_hash, generation, now).await
    }

    async fn delete_all_sessions(&self) -> Result<u64, StoreError> {
        sessions::delete_all(self).await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sessions::delete(self, id_hash).await
    }

    async fn insert_token(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        tokens::insert(self, name, role, token_hash, now).await
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError> {
        tokens::by_hash(self, token_hash).await
    }

    async fn touch_token(
        &self,
        name: &str,
        now: DateTime<Utc>,
        unless_noted_after: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        tokens::touch(self, name, now, unless_noted_after).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        tokens::list(self).await
    }

    async fn delete_token(&self, name: &str) -> Result<bool, StoreError> {
        tokens::delete(self, name).await
    }
}
