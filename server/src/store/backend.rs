//! What each database does for the store: row-level work in its own SQL, nothing more. The
//! policy around it (hashing secrets, comparing them in constant time, the last-used throttle,
//! text made storable, paging, audit filters) is written once, in [`super::Store`], and every
//! backend receives what it stores already in the form it is stored in.

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::wire::AuditRecord;

use super::answers::{Answer, Linked};
use super::audit::{Entry, Filter, Who};
use super::outbox::{ClaimLimits, ClaimedRow, Mail, Settled};
use super::webhooks::{ClaimedDelivery, Endpoint, Event as WebhookEvent, Settlement};
use super::{CreateRefusal, ListFilter, StoreError};
use org_invitations_core::role::Role;
use org_invitations_core::webhook::{Webhook, WebhookDelivery};

/// Rows of one page, each with its position (`seq`), and the total the page belongs to, from
/// one snapshot. A backend fetches up to the limit it is given; the store asks for one row
/// more than the page, to know whether another follows.
pub struct Rows<T> {
    pub rows: Vec<(i64, T)>,
    pub total: u64,
}

/// A connection pool's state: connections open, idle among them, and requests waiting.
pub struct PoolStatus {
    pub size: usize,
    pub idle: usize,
    pub waiting: usize,
}

/// A named token as it is stored: its hash, never the token.
pub struct StoredToken {
    pub name: String,
    pub role: String,
    pub token_hash: String,
}

/// A named token as it is listed, instants in milliseconds since 1970.
pub struct TokenRow {
    pub name: String,
    pub role: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
}

/// A database the store can keep everything in. Every text a caller sent arrives already
/// storable (`super::text`), every secret already hashed.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// The one organization's id, the same for every instance on one database.
    fn organization_id(&self) -> &str;

    /// Where the data lives, for people to read (never a password).
    fn describe(&self) -> String;

    /// The schema version the database holds now (one query): it answers, and the store is
    /// ready when this is the version this server knows.
    async fn schema_version(&self) -> Result<i64, StoreError>;

    /// The version this server's migrations bring a database to.
    fn known_schema_version(&self) -> i64;

    /// The connection pool's state, for a backend that has one.
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }

    /// Creates one invitation per address, in one transaction, each created at `now`; an
    /// expired invitation to the same address is superseded, a pending one refuses. The result
    /// is in input order. With `audit`, the same transaction records the `refused` entries and
    /// each address's outcome; with `mail`, it queues each created invitation's mail, due at
    /// `now`: all of it is stored, or none.
    async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
        mail: Option<&Mail>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError>;

    /// Open invitations in creation order after `after_seq` (exclusive), at most `limit`, and
    /// how many the filter holds in all, from one snapshot.
    async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Rows<OrganizationInvitation>, StoreError>;

    /// An open (pending or expired) or accepted invitation by id: an accepted one leaves the
    /// pending list but stays readable by id.
    async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// Revokes an open invitation and returns it as it was, recording the outcome with
    /// `audit` in the same transaction, which also withdraws its mail still queued.
    async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// Replaces an open invitation by a fresh one to the same address (its language and
    /// inviter kept) in one transaction, recording a resend with both ids with `audit`; the old
    /// one's queued mail is withdrawn and, with `mail`, the fresh one's queued.
    async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
        mail: bool,
    ) -> Result<Option<OrganizationInvitation>, StoreError>;

    /// Claims up to `limits.count` queued messages due at `now` (none claimed by another
    /// worker until after `now`) until `lease_until`, counting the attempt, oldest due first:
    /// one to an address at a time, none to an address that has had `limits.per_address`
    /// other messages attempted after `limits.since`. Several instances never claim one
    /// message at once.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limits: &ClaimLimits,
    ) -> Result<Vec<ClaimedRow>, StoreError>;

    /// How many messages had an attempt after `since`.
    async fn mail_attempted_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Whether a message due at `now` and not leased (so not just claimed) has an answer
    /// other than `why`: only then has [`Backend::hold_mail`] anything to write.
    async fn mail_to_hold(&self, now: DateTime<Utc>, why: &str) -> Result<bool, StoreError>;

    /// Keeps `why` as the answer of the messages due at `now` that a limit holds back: all of
    /// them, or (with `crowded`: a day's count and its start) those whose address has had
    /// that many other messages since.
    async fn hold_mail(
        &self,
        now: DateTime<Utc>,
        why: &str,
        crowded: Option<(u32, DateTime<Utc>)>,
    ) -> Result<(), StoreError>;

    /// Gives an open invitation the link with this token hash (the one before stops working),
    /// or with `reminder` its reminder's link (the mail's own keeps working); `false` when it
    /// is no longer open.
    async fn set_link(
        &self,
        invitation_id: &str,
        link_hash: &str,
        reminder: bool,
    ) -> Result<bool, StoreError>;

    /// Queues a reminder for each open invitation that expires after `now` and within
    /// `before` of it, whose own mail was sent or written and that has had no reminder,
    /// noting it on the invitation and recording it (by `who`) in the same transaction; how
    /// many. Several instances queue each reminder once.
    async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        before: chrono::TimeDelta,
        who: &Who,
    ) -> Result<u64, StoreError>;

    /// Ends a claimed message's attempt (its lease released), with its audit record at `at`
    /// when it has one, in one transaction.
    async fn settle_mail(
        &self,
        seq: i64,
        settled: &Settled,
        audit: Option<(&Who, &Entry)>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Gives the open invitation `id`, unexpired at `now`, the link with this token hash,
    /// withdrawing its mail still waiting and recording it (by `who`) in the same
    /// transaction; `Some(whether mail was withdrawn)`, or `None` when there is no such
    /// invitation.
    async fn replace_link(
        &self,
        id: &str,
        link_hash: &str,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<bool>, StoreError>;

    /// Keeps a webhook endpoint, recording `entry` (by `who`) in the same transaction.
    async fn add_webhook(
        &self,
        endpoint: &Endpoint,
        who: &Who,
        entry: &Entry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Every webhook endpoint, oldest first, without secrets.
    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError>;

    /// Gives the webhook endpoint `id` the secret `secret`, keeping the one before it until
    /// `previous_until`, recording it (by `who`) in the same transaction; the endpoint, or
    /// `None`.
    async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: DateTime<Utc>,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError>;

    /// Deletes the webhook endpoint `id`, recording it (by `who`) in the same transaction;
    /// the endpoint as it was, or `None`.
    async fn delete_webhook(
        &self,
        id: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError>;

    /// Pauses (`paused`) or resumes (clearing a pause, a disabling and the failing streak)
    /// the webhook endpoint `id`, recording it (by `who`) in the same transaction; the
    /// endpoint after, or `None`.
    async fn pause_webhook(
        &self,
        id: &str,
        paused: bool,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError>;

    /// Queues `event` for the endpoint `id` alone, due at `now`; `false` when there is none.
    async fn queue_webhook_event(
        &self,
        id: &str,
        event: &WebhookEvent,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Queues delivery `seq` of endpoint `id` again as a new delivery (the same message id
    /// and body), due at `now`; `false` when there is no such delivery.
    async fn redeliver_webhook(
        &self,
        id: &str,
        seq: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The endpoint `id`'s latest `limit` deliveries, newest first; `None` when there is no
    /// such endpoint.
    async fn webhook_deliveries(
        &self,
        id: &str,
        limit: u32,
    ) -> Result<Option<Vec<WebhookDelivery>>, StoreError>;

    /// Marks each open invitation expired at `now` and not yet noted as noted, queueing its
    /// `invitation.expired` in the same transaction; how many. Several instances note each
    /// one once.
    async fn note_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Claims up to `count` deliveries due at `now` (see
    /// [`super::Store::claim_webhook_deliveries`]) until `lease_until`, counting the attempt,
    /// each with its body: one made at its first attempt
    /// ([`super::webhooks::payload`], from the invitation whatever its state) is kept in the
    /// same transaction. Several instances never claim one delivery at once.
    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        count: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;

    /// Ends an attempt of delivery `seq` to endpoint `endpoint_id` (its lease released) and
    /// the endpoint's failing streak, disabling it (recorded by `who`) when it has failed
    /// since before `settlement.disable_failing_since`, in one transaction; whether it was
    /// disabled now.
    async fn settle_webhook_delivery(
        &self,
        seq: i64,
        endpoint_id: &str,
        settlement: &Settlement,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Removes settled deliveries (delivered, or failed for good) of events before `before`;
    /// how many.
    async fn prune_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The invitation whose link has this token hash, whatever its state.
    async fn by_link(&self, link_hash: &str) -> Result<Option<Linked>, StoreError>;

    /// Accepts or declines, in one statement, the open invitation with this link that has not
    /// expired at `now`, recording the answer (by `who`) in the same transaction; returns the
    /// invitation as it stands after.
    async fn answer(
        &self,
        link_hash: &str,
        answer: Answer,
        now: DateTime<Utc>,
        who: &Who,
    ) -> Result<Option<Linked>, StoreError>;

    /// How many invitations were ever stored, whatever their state.
    async fn count_all(&self) -> Result<u64, StoreError>;

    /// Writes audit records in one transaction; returns their numbers, in order.
    async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError>;

    /// Gives records written without an outcome theirs, in one transaction; a record that has
    /// an outcome keeps it.
    async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError>;

    /// Audit records newest first, before `before_seq` (exclusive) when given, at most
    /// `limit`, and how many the filter holds in all, from one snapshot.
    async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Rows<AuditRecord>, StoreError>;

    /// Removes audit records older than `before`; returns how many.
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Stores a session by the hash of its id, with the generation of the token that made it,
    /// first removing sessions expired at `created`.
    async fn insert_session(
        &self,
        id_hash: &str,
        generation: &str,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Whether a session with this hash and generation exists and has not expired at `now`.
    async fn session_exists(
        &self,
        id_hash: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;

    /// Removes every session; returns how many there were.
    async fn delete_all_sessions(&self) -> Result<u64, StoreError>;

    /// Stores a named token by its hash; `false` when the name is taken.
    async fn insert_token(
        &self,
        name: &str,
        role: Role,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The token stored with this hash, if any.
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError>;

    /// Notes that the token was used at `now`, unless it was already noted after
    /// `unless_noted_after`.
    async fn touch_token(
        &self,
        name: &str,
        now: DateTime<Utc>,
        unless_noted_after: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Every named token, by name.
    async fn tokens(&self) -> Result<Vec<TokenRow>, StoreError>;

    /// Whether a token by that name was there to delete.
    async fn delete_token(&self, name: &str) -> Result<bool, StoreError>;
}
