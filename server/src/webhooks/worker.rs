//! The webhook worker: notes invitations whose time has passed, claims due deliveries (one
//! per endpoint at a time, so a slow or dead receiver never holds up another), posts them,
//! and settles each: delivered, retried on the schedule (`--webhook-retry-delays`), or failed
//! when the schedule ends; an endpoint failing for `--webhook-disable-after` is disabled.
//! Several instances share the work (deliveries are claimed under a lease); a restart
//! resumes what was not settled.

use std::time::Duration;

use chrono::Utc;

use super::sender::Sender;
use crate::delivery::schedule::Schedule;
use crate::limits::{
    WEBHOOK_BATCH, WEBHOOK_IN_FLIGHT_PER_ENDPOINT, WEBHOOK_LEASE, WEBHOOK_POLL, WEBHOOK_PRUNE_EVERY,
};
use crate::store::Store;
use crate::store::webhooks::{ClaimedDelivery, Posted, Settlement};

/// How many deliveries end before the worker claims again while others are in flight.
const CLAIM_AFTER: usize = WEBHOOK_IN_FLIGHT_PER_ENDPOINT as usize / 2;

/// Everything a worker needs.
#[derive(Clone)]
pub struct Dispatcher {
    pub store: Store,
    pub sender: Sender,
    /// The wait before each attempt, the first included; past its end a delivery has failed.
    pub schedule: Schedule,
    pub disable_after: Duration,
}

impl Dispatcher {
    /// Posts what is due, for as long as the server runs.
    pub async fn run(self) {
        // Each delivery its own task: one receiver's slowness never slows the loop or another.
        let mut in_flight = tokio::task::JoinSet::new();
        let mut pruned_at = None::<std::time::Instant>;
        let mut noted_at = None::<std::time::Instant>;
        // Whether to look for due deliveries now, and how many ended since the last look.
        let (mut looked, mut ended) = (true, 0);
        loop {
            let now = Utc::now();
            if pruned_at.is_none_or(|at| at.elapsed() >= WEBHOOK_PRUNE_EVERY) {
                pruned_at = Some(std::time::Instant::now());
                match self.store.prune_webhook_deliveries(now).await {
                    Ok(0) => {}
                    Ok(removed) => tracing::info!(removed, "old webhook deliveries removed"),
                    Err(err) => {
                        tracing::error!(error = %err, "old webhook deliveries cannot be removed")
                    }
                }
            }
            if noted_at.is_none_or(|at| at.elapsed() >= WEBHOOK_POLL) {
                noted_at = Some(std::time::Instant::now());
                if let Err(err) = self.store.note_expired(now).await {
                    tracing::error!(error = %err, "expired invitations cannot be noted; trying again shortly");
                }
            }
            let room = WEBHOOK_BATCH as usize - in_flight.len();
            // Claimed in batches: after half an endpoint's share has ended, when new events
            // came, or on the poll; not after every single delivery (a claim is a write).
            let due = in_flight.is_empty() || looked || ended >= CLAIM_AFTER;
            if room > 0 && due {
                (looked, ended) = (false, 0);
                match self
                    .store
                    .claim_webhook_deliveries(now, now + WEBHOOK_LEASE, room as u32)
                    .await
                {
                    Ok(batch) if !batch.is_empty() => {
                        for delivery in batch {
                            let this = self.clone();
                            in_flight.spawn(async move { this.deliver(delivery).await });
                        }
                        // More may be due at once: look again.
                        looked = true;
                        continue;
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::error!(error = %err, "webhook deliveries cannot be read; trying again shortly");
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(WEBHOOK_POLL) => looked = true,
                () = self.store.webhooks_queued() => looked = true,
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {
                    ended += 1;
                    // Every delivery that has ended meanwhile.
                    while in_flight.try_join_next().is_some() {
                        ended += 1;
                    }
                }
            }
        }
    }

    async fn deliver(&self, delivery: ClaimedDelivery) {
        let body = delivery.payload.clone().unwrap_or_default();
        let posted = self.sender.post(&delivery, &body).await;
        let now = Utc::now();
        let retry_at = match &posted {
            Posted::Delivered(_) => None,
            Posted::Failed(..) => self
                .schedule
                .before_attempt(delivery.attempts + 1)
                .map(|wait| later_by(now, wait)),
        };
        let outcome = match (&posted, retry_at) {
            (Posted::Delivered(_), _) => "delivered",
            (Posted::Failed(..), Some(_)) => "retry",
            (Posted::Failed(..), None) => "failed",
        };
        crate::telemetry::webhook(outcome);
        // Neither the URL (its query may hold the receiver's own token) nor the body.
        tracing::info!(
            endpoint_id = %delivery.endpoint_id,
            message_id = %delivery.message_id,
            event_type = %delivery.event_type,
            attempt = delivery.attempts,
            outcome,
            status = match &posted { Posted::Delivered(code) | Posted::Failed(Some(code), _) => *code, Posted::Failed(None, _) => 0 },
            "webhook delivery"
        );
        let settlement = Settlement {
            posted,
            retry_at,
            // A span longer than time can count disables nothing.
            disable_failing_since: chrono::TimeDelta::from_std(self.disable_after)
                .ok()
                .and_then(|span| now.checked_sub_signed(span))
                .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC),
        };
        match self
            .store
            .settle_webhook_delivery(&delivery, &settlement, now)
            .await
        {
            Ok(true) => tracing::warn!(
                endpoint_id = %delivery.endpoint_id,
                "a webhook endpoint failing for too long is disabled; an admin resumes it"
            ),
            Ok(false) => {}
            Err(err) => tracing::error!(
                error = %err,
                endpoint_id = %delivery.endpoint_id,
                "cannot settle a webhook delivery; it is posted again after its lease"
            ),
        }
    }
}

/// `wait` after `at`, or the last instant time can count.
fn later_by(at: chrono::DateTime<Utc>, wait: Duration) -> chrono::DateTime<Utc> {
    chrono::TimeDelta::from_std(wait)
        .ok()
        .and_then(|wait| at.checked_add_signed(wait))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
}
