//! The delivery worker: claims due messages, sends them a few at a time, settles each.

use std::sync::Arc;

use chrono::Utc;

use super::channel::{Channel, Delivered, Refused};
use super::message::{Letterhead, compose};
use super::schedule::Schedule;
use crate::limits::{MAIL_BATCH, MAIL_LEASE, MAIL_POLL};
use crate::store::outbox::{MailLimits, Outgoing, Settled};
use crate::store::{Store, StoreError};

/// Everything a worker needs.
#[derive(Clone)]
pub struct Courier {
    pub store: Store,
    pub channel: Arc<dyn Channel>,
    pub letterhead: Letterhead,
    pub schedule: Schedule,
    pub limits: MailLimits,
    /// `--remind-before`: how long before expiry an unanswered invitation is reminded.
    pub remind_before: Option<chrono::TimeDelta>,
}

impl Courier {
    /// Sends what is due, for as long as the server runs: up to [`MAIL_BATCH`] messages in
    /// flight, claiming more as soon as half have ended (never waiting for the slowest of a
    /// batch), looking again after [`MAIL_POLL`] or as soon as this instance queues mail.
    pub async fn run(self) {
        let mut in_flight = futures_util::stream::FuturesUnordered::new();
        loop {
            let room = MAIL_BATCH as usize - in_flight.len();
            let mut claimed = 0;
            if room >= MAIL_BATCH as usize / 2 {
                match self.claim(room as u32).await {
                    Ok(batch) => {
                        claimed = batch.len();
                        in_flight.extend(batch.into_iter().map(|outgoing| self.deliver(outgoing)));
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "the outbox cannot be read; trying again shortly");
                    }
                }
            }
            if in_flight.is_empty() {
                tokio::select! {
                    () = tokio::time::sleep(MAIL_POLL) => {}
                    () = self.store.mail_queued() => {}
                }
            } else if claimed == 0 || in_flight.len() > MAIL_BATCH as usize / 2 {
                // Nothing more due, or enough in flight: wait for one to end.
                futures_util::StreamExt::next(&mut in_flight).await;
            }
        }
    }

    /// Claims up to `count` messages that are due, first queueing the reminders that are.
    async fn claim(&self, count: u32) -> Result<Vec<Outgoing>, StoreError> {
        let now = Utc::now();
        if let Some(before) = self.remind_before {
            self.store.queue_reminders(now, before).await?;
        }
        self.store
            .claim_mail(now, now + MAIL_LEASE, count, self.limits)
            .await
    }

    async fn deliver(&self, outgoing: Outgoing) {
        let settled = match compose(&self.letterhead, &outgoing) {
            Err(why) => Settled::Failed(why),
            Ok(message) => {
                let name = format!("{}-{}", outgoing.invitation_id, outgoing.seq);
                match self.channel.send(message, &name).await {
                    Ok(Delivered::Sent(answer)) => Settled::Sent(answer),
                    Ok(Delivered::Written(file)) => Settled::Written(file),
                    Err(Refused::ForGood(answer)) => Settled::Failed(answer),
                    Err(Refused::ForNow(answer)) => {
                        let at = Utc::now()
                            + chrono::TimeDelta::from_std(self.schedule.after(outgoing.attempts))
                                .unwrap_or(chrono::TimeDelta::MAX);
                        if at >= outgoing.expires_at {
                            Settled::Failed(format!(
                                "Refused for now until the invitation expired: {answer}"
                            ))
                        } else {
                            Settled::Retry(at, answer)
                        }
                    }
                }
            }
        };
        let outcome = match &settled {
            Settled::Sent(_) => "sent",
            Settled::Written(_) => "written",
            Settled::Retry(..) => "retry",
            Settled::Failed(_) => "failed",
            Settled::Withdrawn => "withdrawn",
        };
        crate::telemetry::mail(outcome);
        // The link's token is never logged: the invitation's id says which mail this was.
        tracing::info!(
            invitation_id = %outgoing.invitation_id,
            attempt = outgoing.attempts,
            outcome,
            "invitation mail"
        );
        if let Err(err) = self.store.settle_mail(&outgoing.attempt(), &settled).await {
            tracing::error!(error = %err, invitation_id = %outgoing.invitation_id, "cannot settle a mail; it is sent again after its lease");
        }
    }
}
