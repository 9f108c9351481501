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
