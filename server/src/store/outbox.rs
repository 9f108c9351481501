//! The outbox: each invitation's mail, written in the same transaction as the invitation, then
//! claimed, sent and settled by a delivery worker (`crate::delivery`). The policy is here,
//! once: which claimed messages may still go (their invitation open and unexpired), the link
//! each carries (a fresh token, only its hash stored), and what a settled message says.

use chrono::{DateTime, Utc};
use org_invitations_core::invitation::{Delivery, DeliveryState};

use super::audit::{Action, Entry, Who};
use super::text::{storable, storable_opt};
use super::{Store, StoreError, sha256_hex, timed};

/// What goes with the invitations of one create: their mail, each in its language, saying who
/// invited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Each address's language, in the order of the addresses: one the console speaks
    /// (`org_invitations_core::messages::SHIPPED`).
    pub locales: Vec<String>,
    /// The inviter's address, when the server knows one.
    pub inviter: Option<String>,
}

impl Mail {
    /// As stored: text made storable.
    pub fn storable(&self) -> Self {
        Self {
            locales: self
                .locales
                .iter()
                .map(|locale| storable(locale).into_owned())
                .collect(),
            inviter: storable_opt(self.inviter.as_deref()).map(Into::into),
        }
    }

    /// The language of the address at `index` (English when none was given).
    pub fn locale(&self, index: usize) -> &str {
        self.locales.get(index).map_or("en", String::as_str)
    }
}

/// A claimed message as the backend read it, with its invitation.
#[derive(Debug, Clone)]
pub struct ClaimedRow {
    pub seq: i64,
    pub invitation_id: String,
    pub recipient: String,
    /// Attempts made, this one included.
    pub attempts: u32,
    /// Whether the invitation is still open (not revoked, replaced or answered).
    pub open: bool,
    pub expires_at: DateTime<Utc>,
    pub locale: String,
    pub inviter: Option<String>,
    /// The reminder (`--remind-before`), not the invitation's own mail.
    pub reminder: bool,
}

/// A message to send now, with the token its link carries (never stored).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub seq: i64,
    pub invitation_id: String,
    pub recipient: String,
    pub attempts: u32,
    pub expires_at: DateTime<Utc>,
    pub locale: String,
    pub inviter: Option<String>,
    pub token: String,
    /// The reminder (`--remind-before`), not the invitation's own mail.
    pub reminder: bool,
}

/// How an attempt ended, as the message keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// A mail server accepted it, with its answer.
    Sent(String),
    /// Written to the mail folder, where.
    Written(String),
    /// Try again at that instant; the answer that refused it for now.
    Retry(DateTime<Utc>, String),
    /// Refused for good, or it could not go in time: why.
    Failed(String),
    /// Its invitation was revoked, replaced or answered before it went.
    Withdrawn,
}

impl Settled {
    /// The stored state, the answer kept, and when to try next (for a retry).
    pub fn stored(&self) -> (&'static str, Option<String>, Option<i64>) {
        match self {
            Settled::Sent(answer) => ("sent", Some(storable(answer).into_owned()), None),
            Settled::Written(place) => ("written", Some(storable(place).into_owned()), None),
            Settled::Retry(at, answer) => (
                "queued",
                Some(storable(answer).into_owned()),
                Some(at.timestamp_millis()),
            ),
            Settled::Failed(why) => ("failed", Some(storable(why).into_owned()), None),
            Settled::Withdrawn => ("withdrawn", None, None),
        }
    }
}

impl Settled {
    /// What the audit trail records of an attempt that ended so: a message sent, written or
    /// failed; nothing for a retry (the invitation's delivery shows the refusal) or a
    /// withdrawal (the revoke or resend is recorded).
    fn recorded(&self, invitation_id: &str, recipient: &str) -> Option<Entry> {
        let (action, status, detail) = match self {
            Settled::Sent(answer) => (Action::MailSent, 200, answer),
            Settled::Written(place) => (Action::MailWritten, 200, place),
            // The mail server refused: as a gateway would say of its upstream.
            Settled::Failed(why) => (Action::MailFailed, 502, why),
            Settled::Retry(..) | Settled::Withdrawn => return None,
        };
        Some(Entry {
            action,
            email: Some(recipient.to_owned()),
            invitation_id: Some(invitation_id.to_owned()),
            replaces: None,
            status: Some(status),
            detail: Some(detail.clone()),
        })
    }
}

/// What the trail keeps of a reminder queued: a `mail_queued` saying it is the reminder.
pub fn reminder_queued(invitation_id: &str, recipient: &str) -> Entry {
    Entry {
        action: Action::MailQueued,
        email: Some(recipient.to_owned()),
        invitation_id: Some(invitation_id.to_owned()),
        replaces: None,
        status: Some(200),
        detail: Some("reminder".into()),
    }
}

/// The delivery worker, as the audit trail names it: attempt `attempts` of message `seq`.
fn courier(seq: i64, attempts: u32) -> Who {
    Who {
        actor: "delivery".into(),
        method: super::webhooks::COURIER_METHOD,
        request_id: format!("mail_{seq}_{attempts}"),
        client: None,
    }
}

/// The delivery of mail just queued.
pub fn queued() -> Delivery {
    Delivery {
        state: DeliveryState::Queued,
        attempts: 0,
        last_attempt_at: None,
        error: None,
        reminder: false,
    }
}

/// A message's delivery as its invitation shows it, from what the outbox keeps (`None` for a
/// withdrawn one): the answer only when it explains a refusal (a failure, or a queued message
/// refused for now), not a mail server's "250 OK".
pub fn shown(
    state: &str,
    attempts: i64,
    last_attempt_at: Option<DateTime<Utc>>,
    answer: Option<String>,
    reminder: bool,
) -> Option<Delivery> {
    let state = DeliveryState::parse(state)?;
    Some(Delivery {
        state,
        attempts: attempts.max(0) as u32,
        last_attempt_at,
        error: answer.filter(|_| matches!(state, DeliveryState::Failed | DeliveryState::Queued)),
        reminder,
    })
}

/// A fresh link token: 32 random bytes, URL-safe (256 bits; the link names only the token).
pub(super) fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The limits against abuse (`--max-mails-per-hour`, `--max-mails-per-address`): past them
/// messages wait, saying why, and nothing is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    /// Messages attempted in any hour, by this server (all its instances).
    pub per_hour: u32,
    /// Messages attempted to one address in any day, resends included.
    pub per_address_per_day: u32,
}

/// What one claim may take (see [`super::Backend::claim_mail`]).
#[derive(Debug, Clone)]
pub struct ClaimLimits {
    pub count: u32,
    pub per_address: u32,
    pub since: DateTime<Utc>,
}

impl Store {
    /// Claims up to `batch` messages due at `now` for this worker until `lease_until`, as
    /// `limits` allow (those held back say why), and gives each that may still go a fresh
    /// link: the others are settled on the way (withdrawn with their invitation, failed past
    /// its expiry).
    pub async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        batch: u32,
        limits: MailLimits,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let hour_ago = now - chrono::TimeDelta::hours(1);
        let this_hour = timed(
            "mail_attempted_since",
            self.backend.mail_attempted_since(hour_ago),
        )
        .await?;
        let room = u64::from(limits.per_hour).saturating_sub(this_hour);
        if room == 0 {
            let why = format!(
                "The server's hourly limit of mail (--max-mails-per-hour {}) is \
                 reached; it goes when the last hour's count allows",
                limits.per_hour
            );
            self.hold(now, &why, None).await?;
            return Ok(Vec::new());
        }
        let claim = ClaimLimits {
            count: batch.min(room.try_into().unwrap_or(u32::MAX)),
            per_address: limits.per_address_per_day,
            since: now - chrono::TimeDelta::days(1),
        };
        let claimed = timed(
            "claim_mail",
            self.backend.claim_mail(now, lease_until, &claim),
        )
        .await?;
        if (claimed.len() as u32) < claim.count {
            // Fewer than asked: none left, or some held back by their address's day.
            let why = format!(
                "At most {0} mails a day go to one address \
                 (--max-mails-per-address {0}); it goes when the last day's count allows",
                limits.per_address_per_day
            );
            self.hold(now, &why, Some((claim.per_address, claim.since)))
                .await?;
        }
        let mut outgoing = Vec::with_capacity(claimed.len());
        for row in claimed {
            let attempt = row.attempt();
            let settle = |settled| self.settle_mail(&attempt, settled);
            if !row.open {
                settle(&Settled::Withdrawn).await?;
                continue;
            }
            if row.expires_at <= now {
                let why = "The invitation expired before its mail could be sent";
                settle(&Settled::Failed(why.into())).await?;
                continue;
            }
            let token = new_token();
            if !self
                .backend
                .set_link(&row.invitation_id, &sha256_hex(&token), row.reminder)
                .await?
            {
                settle(&Settled::Withdrawn).await?;
                continue;
            }
            outgoing.push(Outgoing {
                seq: row.seq,
                invitation_id: row.invitation_id,
                recipient: row.recipient,
                attempts: row.attempts,
                expires_at: row.expires_at,
                locale: row.locale,
                inviter: row.inviter,
                token,
                reminder: row.reminder,
            });
        }
        Ok(outgoing)
    }

    /// Queues the reminders due at `now` (open invitations expiring within `before`, their
    /// own mail gone, none reminded yet), once each, even with several instances; how many.
    pub async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        before: chrono::TimeDelta,
    ) -> Result<u64, StoreError> {
        let queued = timed(
            "queue_reminders",
            self.backend
                .queue_reminders(now, before, &Who::worker("delivery")),
        )
        .await?;
        if queued > 0 {
            self.wake_mail();
        }
        Ok(queued)
    }

    /// Says `why` on the due messages a limit holds back; read first, so that a worker
    /// looking twice a second with nothing held writes nothing.
    async fn hold(
        &self,
        now: DateTime<Utc>,
        why: &str,
        crowded: Option<(u32, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        if timed("mail_to_hold", self.backend.mail_to_hold(now, why)).await? {
            timed("hold_mail", self.backend.hold_mail(now, why, crowded)).await?;
        }
        Ok(())
    }

    /// Ends `attempt` as `settled` says, recording in the same transaction what the audit
    /// trail keeps of it.
    pub async fn settle_mail(
        &self,
        attempt: &Attempt,
        settled: &Settled,
    ) -> Result<(), StoreError> {
        let recorded = settled
            .recorded(&attempt.invitation_id, &attempt.recipient)
            .map(|entry| {
                (
                    courier(attempt.seq, attempt.attempts).storable(),
                    entry.storable(),
                )
            });
        let audit = recorded.as_ref().map(|(who, entry)| (who, entry));
        let settled = timed(
            "settle_mail",
            self.backend
                .settle_mail(attempt.seq, settled, audit, Utc::now()),
        )
        .await;
        if recorded.is_some() {
            self.wake_webhooks();
        }
        settled
    }
}

/// Which attempt of which message: what settling it records.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub seq: i64,
    pub invitation_id: String,
    pub recipient: String,
    pub attempts: u32,
}

impl ClaimedRow {
    fn attempt(&self) -> Attempt {
        Attempt {
            seq: self.seq,
            invitation_id: self.invitation_id.clone(),
            recipient: self.recipient.clone(),
            attempts: self.attempts,
        }
    }
}

impl Outgoing {
    /// The attempt this message is.
    pub fn attempt(&self) -> Attempt {
        Attempt {
            seq: self.seq,
            invitation_id: self.invitation_id.clone(),
            recipient: self.recipient.clone(),
            attempts: self.attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_never_repeat() {
        let (one, two) = (new_token(), new_token());
        assert_eq!(one.len(), 64);
        assert!(one.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(one, two);
    }
}
