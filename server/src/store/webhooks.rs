//! Webhook endpoints as the store keeps them: each with its secret (read only to sign, shown
//! once when made), and every one added or deleted on record in the audit trail, in the same
//! transaction.

use chrono::{DateTime, Utc};
use org_invitations_core::webhook::Webhook;

use super::audit::{Action, Entry, Who};
use super::{Store, StoreError, timed};

/// An endpoint with its secret, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub webhook: Webhook,
    pub secret: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Endpoint")
            .field("webhook", &self.webhook)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// `events` as stored: space-separated, empty for every event.
    pub fn stored_events(&self) -> String {
        self.webhook.events.join(" ")
    }

    /// `events` as stored, read back.
    pub fn events_from(stored: &str) -> Vec<String> {
        stored.split_whitespace().map(str::to_owned).collect()
    }
}

impl Store {
    /// Keeps `endpoint`, made at `now` by `who`.
    pub async fn add_webhook(
        &self,
        endpoint: &Endpoint,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let entry = recorded(Action::WebhookCreated, &endpoint.webhook).storable();
        timed(
            "add_webhook",
            self.backend
                .add_webhook(endpoint, &who.storable(), &entry, now),
        )
        .await
    }

    /// Every endpoint, oldest first, without secrets.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        timed("webhooks", self.backend.webhooks()).await
    }

    /// Gives the endpoint `id` the secret `secret`, the one before it signing beside it until
    /// `previous_until`, on record as `who`'s at `now`; the endpoint, or `None`.
    pub async fn rotate_webhook(
        &self,
        id: &str,
        secret: &str,
        previous_until: DateTime<Utc>,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        timed(
            "rotate_webhook",
            self.backend
                .rotate_webhook(id, secret, previous_until, &who.storable(), now),
        )
        .await
    }

    /// Deletes the endpoint `id`, on record as `who`'s; the endpoint as it was, or `None`.
    pub async fn delete_webhook(
        &self,
        id: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        timed(
            "delete_webhook",
            self.backend.delete_webhook(id, &who.storable(), now),
        )
        .await
    }
}

/// What the trail keeps of an endpoint added or deleted: its id and where it posts (without
/// the URL's query, which some receivers use for a token of their own); never its secret.
pub fn recorded(action: Action, webhook: &Webhook) -> Entry {
    let shown = url::Url::parse(&webhook.url).map_or_else(
        |_| webhook.url.clone(),
        |mut url| {
            url.set_query(None);
            url.to_string()
        },
    );
    Entry {
        action,
        email: None,
        invitation_id: None,
        replaces: None,
        status: Some(200),
        detail: Some(format!("{} {shown}", webhook.id)),
    }
}

/// An event to post to every endpoint that wants it, as the change that makes it writes it
/// (in the same transaction as that change's audit record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `msg_…`: the `webhook-id` every delivery of it carries, on every retry.
    pub message_id: String,
    /// One of [`org_invitations_core::webhook::EVENT_TYPES`].
    pub event_type: &'static str,
    pub invitation_id: Option<String>,
    /// For `invitation.resent`: the invitation it replaced.
    pub replaces: Option<String>,
    /// Who made the change, where a person or token did.
    pub actor: Option<String>,
}

impl Event {
    /// The event an audit record reports, if it reports one: a change's own record with a
    /// 2xx outcome (a record whose outcome is not known yet, as a gateway writes it before
    /// the upstream answers, reports nothing: this server made no change).
    pub fn of(who: &Who, entry: &Entry) -> Option<Self> {
        if !entry
            .status
            .is_some_and(|status| (200..300).contains(&status))
        {
            return None;
        }
        let event_type = match entry.action {
            Action::Create => "invitation.created",
            Action::Invalidate => "invitation.revoked",
            Action::Resend => "invitation.resent",
            Action::MailSent | Action::MailWritten => "invitation.delivered",
            Action::MailFailed => "invitation.delivery_failed",
            Action::Accepted => "invitation.accepted",
            Action::Declined => "invitation.declined",
            _ => return None,
        };
        Some(Self {
            message_id: crate::ids::message_id(),
            event_type,
            invitation_id: entry.invitation_id.clone(),
            replaces: entry.replaces.clone(),
            // The delivery worker is no one: a mail's events say what happened, not who.
            actor: (who.method != COURIER_METHOD).then(|| who.actor.clone()),
        })
    }

    /// An invitation whose time passed, found by the server.
    pub fn expired(invitation_id: &str) -> Self {
        Self {
            message_id: crate::ids::message_id(),
            event_type: "invitation.expired",
            invitation_id: Some(invitation_id.to_owned()),
            replaces: None,
            actor: None,
        }
    }

    /// A test event an admin asked for.
    pub fn test(who: &Who) -> Self {
        Self {
            message_id: crate::ids::message_id(),
            event_type: "webhook.test",
            invitation_id: None,
            replaces: None,
            actor: Some(who.actor.clone()),
        }
    }

    /// The pattern of `events` (as stored, space-separated) that wants this event, for the
    /// SQL both stores fan out with: `instr(' ' || events || ' ', ?) > 0`.
    pub fn wanted_by(&self) -> String {
        format!(" {} ", self.event_type)
    }
}

/// How the delivery worker authenticates in the audit trail (see `super::outbox`).
pub const COURIER_METHOD: &str = "outbox";

/// A delivery claimed for one attempt, with where it goes and the secrets that sign it.
#[derive(Clone)]
pub struct ClaimedDelivery {
    pub seq: i64,
    pub message_id: String,
    pub endpoint_id: String,
    pub url: String,
    /// The endpoint's secret, then the one before it while that still signs.
    pub secrets: Vec<String>,
    pub event_type: String,
    pub invitation_id: Option<String>,
    pub replaces: Option<String>,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    /// The body, once the first attempt has made it.
    pub payload: Option<String>,
    /// Attempts made, this one included.
    pub attempts: u32,
}

impl std::fmt::Debug for ClaimedDelivery {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ClaimedDelivery")
            .field("seq", &self.seq)
            .field("message_id", &self.message_id)
            .field("endpoint_id", &self.endpoint_id)
            .field("event_type", &self.event_type)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// The receiver answered 2xx, with this code.
    Delivered(u16),
    /// Anything else: the receiver's code if it answered, and what went wrong.
    Failed(Option<u16>, String),
}

/// What settling an attempt stores: the outcome, and when to try again (`None`: the schedule
/// has ended, or it was delivered).
#[derive(Debug, Clone)]
pub struct Settlement {
    pub posted: Posted,
    pub retry_at: Option<DateTime<Utc>>,
    /// An endpoint failing since before this is disabled, on record.
    pub disable_failing_since: DateTime<Utc>,
}

/// The body of a delivery: `type`, `timestamp` (when the event happened) and `data`, the
/// invitation as the API returns it with the actor where there is one, or for a test event
/// the endpoint. Never a token, a link or a secret: none of them is in an invitation object.
pub fn payload(
    delivery: &ClaimedDelivery,
    invitation: Option<&org_invitations_core::OrganizationInvitation>,
) -> String {
    let mut data = match invitation {
        Some(invitation) => serde_json::to_value(invitation).unwrap_or_default(),
        None if delivery.event_type == "webhook.test" => {
            serde_json::json!({"webhook_id": delivery.endpoint_id})
        }
        None => serde_json::json!({"id": delivery.invitation_id}),
    };
    if let Some(object) = data.as_object_mut() {
        if let Some(actor) = &delivery.actor {
            object.insert("actor".into(), actor.clone().into());
        }
        if let Some(replaces) = &delivery.replaces {
            object.insert("replaces".into(), replaces.clone().into());
        }
    }
    serde_json::json!({
        "type": delivery.event_type,
        "timestamp": delivery.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

impl Store {
    /// Pauses the endpoint `id` (`paused`) or resumes it (after a pause or being disabled),
    /// on record as `who`'s; the endpoint after, or `None`.
    pub async fn pause_webhook(
        &self,
        id: &str,
        paused: bool,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<Option<Webhook>, StoreError> {
        let changed = timed(
            "pause_webhook",
            self.backend.pause_webhook(id, paused, &who.storable(), now),
        )
        .await;
        self.wake_webhooks();
        changed
    }

    /// Queues a test event for the endpoint `id`; `false` when there is no such endpoint.
    pub async fn test_webhook(
        &self,
        id: &str,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let event = Event::test(&who.storable());
        let queued = timed(
            "test_webhook",
            self.backend.queue_webhook_event(id, &event, now),
        )
        .await;
        self.wake_webhooks();
        queued
    }

    /// Posts delivery `delivery` of endpoint `id` again (the same event, the same
    /// `webhook-id`); `false` when there is no such delivery.
    pub async fn redeliver_webhook(
        &self,
        id: &str,
        delivery: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(seq) = delivery_seq(delivery) else {
            return Ok(false);
        };
        let queued = timed(
            "redeliver_webhook",
            self.backend.redeliver_webhook(id, seq, now),
        )
        .await;
        self.wake_webhooks();
        queued
    }

    /// The endpoint `id`'s latest deliveries, newest first; `None` when there is no such
    /// endpoint.
    pub async fn webhook_deliveries(
        &self,
        id: &str,
    ) -> Result<Option<Vec<org_invitations_core::webhook::WebhookDelivery>>, StoreError> {
        timed(
            "webhook_deliveries",
            self.backend
                .webhook_deliveries(id, crate::limits::WEBHOOK_DELIVERIES_SHOWN),
        )
        .await
    }

    /// Notes each open invitation whose time has passed by `now`, once, queueing its
    /// `invitation.expired`; how many.
    pub async fn note_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        timed("note_expired", self.backend.note_expired(now)).await
    }

    /// Removes the settled deliveries of events older than the retention
    /// ([`crate::limits::WEBHOOK_DELIVERY_RETENTION`]) at `now`; how many.
    pub async fn prune_webhook_deliveries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        timed(
            "prune_webhook_deliveries",
            self.backend
                .prune_webhook_deliveries(now - crate::limits::WEBHOOK_DELIVERY_RETENTION),
        )
        .await
    }

    /// Claims up to `count` deliveries due at `now` until `lease_until`, oldest first, of
    /// endpoints neither paused nor disabled, at most
    /// [`crate::limits::WEBHOOK_IN_FLIGHT_PER_ENDPOINT`] of one endpoint in flight, so a slow
    /// or dead receiver never holds up another. Each has its body: made from the invitation
    /// at its first attempt (in the claim's transaction), and kept.
    pub async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        count: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        timed(
            "claim_webhook_deliveries",
            self.backend
                .claim_webhook_deliveries(now, lease_until, count),
        )
        .await
    }

    /// Ends an attempt of `delivery` as `settlement` says; the endpoint's failing streak is
    /// ended by a 2xx and started by a failure, and an endpoint failing since before
    /// `settlement.disable_failing_since` is disabled, on record. Whether it was disabled.
    pub async fn settle_webhook_delivery(
        &self,
        delivery: &ClaimedDelivery,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let who = Who::worker("webhooks");
        timed(
            "settle_webhook_delivery",
            self.backend.settle_webhook_delivery(
                delivery.seq,
                &delivery.endpoint_id,
                settlement,
                &who,
                now,
            ),
        )
        .await
    }
}

/// A delivery's id as the API shows it: `whd_` and its number.
pub fn delivery_id(seq: i64) -> String {
    format!("whd_{seq}")
}

fn delivery_seq(id: &str) -> Option<i64> {
    id.strip_prefix("whd_")?.parse().ok().filter(|seq| *seq > 0)
}

/// A delivery's stored state as the API shows it.
pub fn delivery_status(state: &str) -> org_invitations_core::webhook::DeliveryStatus {
    use org_invitations_core::webhook::DeliveryStatus;
    match state {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

/// What a settled attempt stores: state, answer code, error, next attempt.
pub fn stored(settlement: &Settlement) -> (&'static str, Option<i32>, Option<String>, Option<i64>) {
    match &settlement.posted {
        Posted::Delivered(status) => ("delivered", Some(i32::from(*status)), None, None),
        Posted::Failed(status, why) => (
            if settlement.retry_at.is_some() {
                "pending"
            } else {
                "failed"
            },
            status.map(i32::from),
            Some(super::text::storable(why).into_owned()),
            settlement.retry_at.map(|at| at.timestamp_millis()),
        ),
    }
}

/// Columns of the `webhooks` table an endpoint is read from, in [`Webhook`]'s order.
pub const WEBHOOK_COLUMNS: &str =
    "id, url, events, created_at_ms, paused_at_ms, disabled_at_ms, failing_since_ms";
