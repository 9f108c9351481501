//! What the audit trail records: one record for every change and every refused change. In
//! store mode a record is written in the same transaction as the change it tells of; in
//! gateway mode it is written before the request is forwarded, without an outcome, and
//! completed with the upstream's answer, so a crash in between leaves "outcome unknown", never
//! a silent change. Nothing edits a record once it has an outcome (the database refuses it);
//! only retention removes old ones.

use chrono::{DateTime, Utc};
use org_invitations_core::wire::AuditRecord;

use super::text::{bounded, storable, storable_opt};
use super::{CreateRefusal, Store, StoreError, page_of, timed};
use crate::limits::{MOST_RECORDED_DETAIL, MOST_RECORDED_NAME, REFUSALS_RECORDED_ONE_BY_ONE};

/// [`storable`] text, owned, for a value that may be absent.
fn owned(text: Option<&str>) -> Option<String> {
    storable_opt(text).map(|text| text.into_owned())
}

/// [`owned`], cut to `most` characters.
fn recorded(text: Option<&str>, most: usize) -> Option<String> {
    text.map(|text| storable(&bounded(text, most)).into_owned())
}

/// Who made a request, and where it came from: the same for every record it leads to.
#[derive(Debug, Clone)]
pub struct Who {
    /// An address, `token:NAME` or `owner`.
    pub actor: String,
    /// How they authenticated (`owner_token`, `named_token`, `session`, `proxy`).
    pub method: &'static str,
    pub request_id: String,
    /// The client's address.
    pub client: Option<String>,
}

impl Who {
    /// One of the server's own workers (`delivery`, `webhooks`), as the audit trail names
    /// what it does by itself.
    pub fn worker(actor: &str) -> Self {
        Self {
            actor: actor.into(),
            method: super::webhooks::COURIER_METHOD,
            request_id: crate::ids::request_id(),
            client: None,
        }
    }

    /// As both stores write it (see [`super::text`]).
    pub fn storable(&self) -> Self {
        Self {
            actor: storable(&self.actor).into_owned(),
            method: self.method,
            request_id: storable(&self.request_id).into_owned(),
            client: owned(self.client.as_deref()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Invalidate,
    /// An open invitation replaced by a fresh one to the same address.
    Resend,
    /// A change the caller's role does not allow.
    Denied,
    /// An invitation's mail queued, in the transaction that made the invitation.
    MailQueued,
    /// Its mail accepted by a mail server, with the server's answer.
    MailSent,
    /// Its mail written to the data folder (no mail server configured), and where.
    MailWritten,
    /// Its mail refused for good, or not sent before the invitation expired, and why.
    MailFailed,
    /// The person invited accepted, through the link in their mail.
    Accepted,
    /// The person invited declined, through the link in their mail.
    Declined,
    /// A fresh link made for an admin to hand over another way ("Copy link"); the one before
    /// stops working.
    LinkCopied,
    /// A webhook endpoint added by an admin.
    WebhookCreated,
    /// A webhook endpoint deleted by an admin.
    WebhookDeleted,
    /// A webhook endpoint's secret replaced by an admin (the one before signs for a day more).
    WebhookRotated,
    /// A webhook endpoint paused by an admin: its events wait.
    WebhookPaused,
    /// A webhook endpoint resumed by an admin, after a pause or being disabled.
    WebhookResumed,
    /// A webhook endpoint disabled by the server, after failing every delivery for days.
    WebhookDisabled,
}

impl Action {
    const ALL: [Action; 17] = [
        Action::Create,
        Action::Invalidate,
        Action::Resend,
        Action::Denied,
        Action::MailQueued,
        Action::MailSent,
        Action::MailWritten,
        Action::MailFailed,
        Action::Accepted,
        Action::Declined,
        Action::LinkCopied,
        Action::WebhookCreated,
        Action::WebhookDeleted,
        Action::WebhookRotated,
        Action::WebhookPaused,
        Action::WebhookResumed,
        Action::WebhookDisabled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Invalidate => "invalidate",
            Action::Resend => "resend",
            Action::Denied => "denied",
            Action::MailQueued => "mail_queued",
            Action::MailSent => "mail_sent",
            Action::MailWritten => "mail_written",
            Action::MailFailed => "mail_failed",
            Action::Accepted => "accepted",
            Action::Declined => "declined",
            Action::LinkCopied => "link_copied",
            Action::WebhookCreated => "webhook_created",
            Action::WebhookDeleted => "webhook_deleted",
            Action::WebhookRotated => "webhook_rotated",
            Action::WebhookPaused => "webhook_paused",
            Action::WebhookResumed => "webhook_resumed",
            Action::WebhookDisabled => "webhook_disabled",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.name() == name)
    }

    /// Every action's name, for a message that lists them.
    pub fn names() -> String {
        Self::ALL.map(Action::name).join(", ")
    }
}

/// What one record says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    pub email: Option<String>,
    pub invitation_id: Option<String>,
    /// For a resend: the invitation it replaced.
    pub replaces: Option<String>,
    /// The HTTP status of the outcome; `None` while unknown.
    pub status: Option<u16>,
    pub detail: Option<String>,
}

impl Entry {
    /// As both stores write it (see [`super::text`]): every text in it, each of a bounded
    /// length.
    pub fn storable(&self) -> Self {
        Self {
            action: self.action,
            email: recorded(self.email.as_deref(), MOST_RECORDED_NAME),
            invitation_id: recorded(self.invitation_id.as_deref(), MOST_RECORDED_NAME),
            replaces: recorded(self.replaces.as_deref(), MOST_RECORDED_NAME),
            status: self.status,
            detail: recorded(self.detail.as_deref(), MOST_RECORDED_DETAIL),
        }
    }

    /// One request's refusals as the trail keeps them: the first few one by one, then one
    /// record that counts the rest and shows the first of them, so a batch of a thousand
    /// refused elements costs the trail eleven records, not a thousand.
    pub fn summarise_refusals(mut refusals: Vec<Entry>) -> Vec<Entry> {
        if refusals.len() <= REFUSALS_RECORDED_ONE_BY_ONE + 1 {
            return refusals;
        }
        let rest = refusals.split_off(REFUSALS_RECORDED_ONE_BY_ONE);
        let first = &rest[0];
        let mut statuses: Vec<(u16, usize)> = Vec::new();
        for status in rest.iter().filter_map(|entry| entry.status) {
            match statuses.iter_mut().find(|(seen, _)| *seen == status) {
                Some((_, count)) => *count += 1,
                None => statuses.push((status, 1)),
            }
        }
        let tally = statuses
            .iter()
            .map(|(status, count)| format!("{count} × {status}"))
            .collect::<Vec<_>>()
            .join(", ");
        refusals.push(Entry {
            action: first.action,
            email: first.email.clone(),
            invitation_id: None,
            replaces: None,
            status: statuses
                .iter()
                .max_by_key(|(_, count)| *count)
                .map(|(status, _)| *status),
            detail: Some(format!(
                "{} more elements of this request were refused ({tally}) and are not recorded \
                 one by one; the first of them (this record's address): {}",
                rest.len(),
                first.detail.as_deref().unwrap_or("no detail")
            )),
        });
        refusals
    }

    /// What a filter by address compares the record's address as.
    pub fn email_key(&self) -> Option<String> {
        self.email
            .as_deref()
            .map(org_invitations_core::email::comparison_key)
    }

    /// The records of a create for `email`: invited (`Ok` with the new id) and, when the
    /// same transaction queued its mail, queued; or refused.
    pub fn for_create(
        email: &str,
        outcome: &Result<String, CreateRefusal>,
        mail_queued: bool,
    ) -> Vec<Self> {
        let mut entries = vec![Self::created(email, outcome)];
        if let (Ok(id), true) = (outcome, mail_queued) {
            entries.push(Self::mail_queued(email, id));
        }
        entries
    }

    /// The records of a resend of `id` (see [`Entry::resent`]) and, when the same
    /// transaction queued the fresh invitation's mail, queued.
    pub fn for_resend(
        id: &str,
        email: Option<String>,
        fresh_id: Option<String>,
        mail_queued: bool,
    ) -> Vec<Self> {
        let queued = match (&email, &fresh_id, mail_queued) {
            (Some(email), Some(fresh_id), true) => Some(Self::mail_queued(email, fresh_id)),
            _ => None,
        };
        let mut entries = vec![Self::resent(id, email, fresh_id)];
        entries.extend(queued);
        entries
    }

    /// The mail of invitation `id` to `email`, queued.
    fn mail_queued(email: &str, id: &str) -> Self {
        Self {
            action: Action::MailQueued,
            email: Some(email.to_owned()),
            invitation_id: Some(id.to_owned()),
            replaces: None,
            status: Some(200),
            detail: None,
        }
    }

    /// The person invited to `id` at `email` answered through their link.
    pub fn answered(answer: super::answers::Answer, id: &str, email: &str) -> Self {
        Self {
            action: match answer {
                super::answers::Answer::Accept => Action::Accepted,
                super::answers::Answer::Decline => Action::Declined,
            },
            email: Some(email.to_owned()),
            invitation_id: Some(id.to_owned()),
            replaces: None,
            status: Some(200),
            detail: None,
        }
    }

    /// What a create did for `email`: invited it (`Ok` with the new id), or refused it.
    pub fn created(email: &str, outcome: &Result<String, CreateRefusal>) -> Self {
        match outcome {
            Ok(id) => Self {
                action: Action::Create,
                email: Some(email.to_owned()),
                invitation_id: Some(id.clone()),
                replaces: None,
                status: Some(200),
                detail: None,
            },
            Err(CreateRefusal::AlreadyPending) => Self {
                action: Action::Create,
                email: Some(email.to_owned()),
                invitation_id: None,
                replaces: None,
                status: Some(409),
                detail: Some(format!("Invitation already exists for {email}")),
            },
        }
    }

    /// A resend of the open invitation `id`: done when its address is known (it was there),
    /// naming the invitation that replaced it.
    pub fn resent(id: &str, email: Option<String>, fresh_id: Option<String>) -> Self {
        Self {
            invitation_id: fresh_id,
            replaces: Some(id.to_owned()),
            ..Self::on_id(Action::Resend, id, email)
        }
    }

    /// A change to the open invitation `id`: done when its address is known (it was there),
    /// else a 404.
    pub fn on_id(action: Action, id: &str, email: Option<String>) -> Self {
        let done = email.is_some();
        Self {
            action,
            email,
            invitation_id: Some(id.to_owned()),
            replaces: None,
            status: Some(if done { 200 } else { 404 }),
            detail: (!done).then(|| format!("Organization invitation '{id}' not found")),
        }
    }
}

/// Which records a listing includes.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Comparison key of one address.
    pub email_key: Option<String>,
    pub actor: Option<String>,
    pub action: Option<Action>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Filter {
    /// As both stores compare it with what they wrote (see [`super::text`]).
    pub fn storable(&self) -> Self {
        Self {
            email_key: owned(self.email_key.as_deref()),
            actor: owned(self.actor.as_deref()),
            action: self.action,
            since: self.since,
            until: self.until,
        }
    }
}

pub struct Page {
    pub records: Vec<AuditRecord>,
    pub total: u64,
    /// Set when more (older) records follow: where the next page starts.
    pub next_before_seq: Option<i64>,
}

impl Store {
    /// Writes audit records that belong together (one request's, with no change of this
    /// server's invitations) in one transaction; returns their numbers, in order.
    pub async fn record(
        &self,
        at: DateTime<Utc>,
        who: &Who,
        entries: &[Entry],
    ) -> Result<Vec<i64>, StoreError> {
        let entries: Vec<Entry> = entries.iter().map(Entry::storable).collect();
        let outcome = timed("record", self.backend.record(at, &who.storable(), &entries)).await;
        if outcome.is_err() {
            crate::telemetry::audit_write_failed();
        }
        outcome
    }

    /// Gives records written without an outcome theirs (in one transaction). A record that has
    /// an outcome keeps it.
    pub async fn complete(&self, outcomes: &[(i64, Entry)]) -> Result<(), StoreError> {
        let outcomes: Vec<(i64, Entry)> = outcomes
            .iter()
            .map(|(seq, entry)| (*seq, entry.storable()))
            .collect();
        let outcome = timed("complete", self.backend.complete(&outcomes)).await;
        if outcome.is_err() {
            crate::telemetry::audit_write_failed();
        }
        outcome
    }

    /// Audit records newest first, before record `before_seq` (exclusive) when given, and
    /// how many the filter holds, from one snapshot.
    pub async fn audit_list(
        &self,
        filter: &Filter,
        before_seq: Option<i64>,
        count: u32,
    ) -> Result<Page, StoreError> {
        let fetched = timed(
            "audit_list",
            self.backend
                .audit_list(&filter.storable(), before_seq, count + 1),
        )
        .await?;
        let (records, next_before_seq) = page_of(fetched.rows, count);
        Ok(Page {
            records,
            total: fetched.total,
            next_before_seq,
        })
    }

    /// Removes audit records older than `before` (`--audit-retention-days`); returns how many.
    pub async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.backend.prune(before).await
    }
}
