//! Webhooks: the invitation events this project's server posts to the systems around it
//! (Standard Webhooks), and the endpoints admins keep for them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::datetime::rfc3339;

/// Every event an endpoint can ask for, in the order the docs list them.
pub const EVENT_TYPES: [&str; 9] = [
    "invitation.created",
    "invitation.delivered",
    "invitation.delivery_failed",
    "invitation.accepted",
    "invitation.declined",
    "invitation.revoked",
    "invitation.resent",
    "invitation.expired",
    "webhook.test",
];

/// `POST /api/console/webhooks`: where to post, and which events (none named: every one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…` to a public address (the pattern is its plainest form; an IP address
    /// must be public), or `http://` to a loopback address where the operator allows it.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 2048,
            pattern = r"^https://[a-z][a-z0-9-]{0,30}(\.[a-z][a-z0-9-]{0,30})+(/[A-Za-z0-9._~-]{0,30})*$",
            example = "https://hooks.example.com/invitations"
        )
    )]
    pub url: String,
    /// Event types from [`EVENT_TYPES`]; absent or empty for every event.
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

/// An endpoint as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// `wh_…`
    pub id: String,
    pub url: String,
    /// The event types it gets; empty for every event.
    pub events: Vec<String>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When an admin paused it: its events wait, none lost, until it is resumed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub paused_at: Option<DateTime<Utc>>,
    /// When the server disabled it, after it had failed every delivery for days
    /// (`--webhook-disable-after`): its events wait, as paused, until an admin resumes it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Since when every attempt to it has failed (none since the last 2xx).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub failing_since: Option<DateTime<Utc>>,
}

/// `GET /api/console/webhooks`: every endpoint, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub results: Vec<Webhook>,
}

/// The answer that makes an endpoint: the only one that ever holds its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    /// `whsec_…` (Standard Webhooks): shown once; every delivery is signed with it.
    pub secret: String,
}

/// `POST /api/console/webhooks/{id}/rotate`: the endpoint's new secret, shown once; the one
/// before it keeps signing beside it for a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub secret: String,
    /// Until when the secret before it still signs too.
    #[serde(with = "rfc3339")]
    pub previous_until: DateTime<Utc>,
}

/// What a delivery is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt of the schedule failed.
    Failed,
}

/// One event posted (or to be posted) to one endpoint, as `GET …/{id}/deliveries` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// `whd_…`: this delivery, to redeliver it.
    pub id: String,
    /// The `webhook-id` header: the same on every retry and redelivery of one event.
    pub message_id: String,
    /// An event type from [`EVENT_TYPES`].
    pub event_type: String,
    /// The invitation it is about, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the event happened.
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (pending only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's last answer code, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// Why the last attempt failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/console/webhooks/{id}/deliveries`: the endpoint's latest deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryList {
    pub results: Vec<WebhookDelivery>,
}

/// The answer to a test event or a redelivery: queued, its delivery in the endpoint's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Queued {
    pub queued: bool,
}

/// The event types of `asked` as stored: each known, none twice, in [`EVENT_TYPES`] order;
/// or the first unknown one.
pub fn event_types(asked: &[String]) -> Result<Vec<String>, String> {
    if let Some(unknown) = asked
        .iter()
        .find(|event| !EVENT_TYPES.contains(&event.as_str()))
    {
        return Err(unknown.clone());
    }
    Ok(EVENT_TYPES
        .iter()
        .filter(|known| asked.iter().any(|event| event == *known))
        .map(|known| (*known).to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_known_kept_once_and_in_order() {
        let asked = [
            "invitation.accepted",
            "invitation.created",
            "invitation.accepted",
        ]
        .map(str::to_owned);
        assert_eq!(
            event_types(&asked).unwrap(),
            ["invitation.created", "invitation.accepted"]
        );
        assert_eq!(
            event_types(&["invitation.eaten".to_owned()]).unwrap_err(),
            "invitation.eaten"
        );
        assert!(event_types(&[]).unwrap().is_empty());
    }
}
