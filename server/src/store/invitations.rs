//! The invitations' policy over either backend: ids and searches as the stores keep text, and
//! pages of the size asked for.

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;

use super::audit::{Entry, Who};
use super::outbox::Mail;
use super::text::{storable, storable_opt};
use super::{CreateRefusal, ListFilter, Page, Store, StoreError, page_of, timed};

impl Store {
    /// Creates one invitation per address, in one transaction, each created at `now`.
    /// Addresses must already be validated. The result is in input order. With `audit`, the
    /// same transaction records each address's outcome, and the `refused` entries (what was
    /// refused before reaching the store): all of it is stored, or none.
    pub async fn create_many(
        &self,
        emails: &[String],
        now: DateTime<Utc>,
        audit: Option<(&Who, &[Entry])>,
        mail: Option<&Mail>,
    ) -> Result<Vec<Result<String, CreateRefusal>>, StoreError> {
        let mail = mail.map(Mail::storable);
        let audit = audit.map(|(who, refused)| {
            (
                who.storable(),
                refused.iter().map(Entry::storable).collect::<Vec<_>>(),
            )
        });
        let audited = audit.is_some();
        let audit = audit
            .as_ref()
            .map(|(who, refused)| (who, refused.as_slice()));
        let outcome = timed(
            "create_many",
            self.backend.create_many(emails, now, audit, mail.as_ref()),
        )
        .await;
        if audited && outcome.is_err() {
            crate::telemetry::audit_write_failed();
        }
        if mail.is_some() && outcome.is_ok() {
            self.wake_mail();
        }
        self.wake_webhooks();
        outcome
    }

    /// One page in creation order, after the row `after_seq` (exclusive), and the total, from
    /// one snapshot.
    pub async fn list(
        &self,
        filter: &ListFilter,
        after_seq: i64,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, StoreError> {
        let filter = ListFilter {
            email_key: storable_opt(filter.email_key.as_deref()).map(Into::into),
            include_expired: filter.include_expired,
        };
        let fetched = timed(
            "list",
            self.backend.list(&filter, after_seq, count + 1, now),
        )
        .await?;
        let (invitations, last_seq_if_more) = page_of(fetched.rows, count);
        Ok(Page {
            invitations,
            total: fetched.total,
            last_seq_if_more,
        })
    }

    /// An open (pending or expired) or accepted invitation by id: an accepted one leaves the
    /// pending list but stays readable by id.
    pub async fn get(&self, id: &str) -> Result<Option<OrganizationInvitation>, StoreError> {
        timed("get", self.backend.get(&storable(id))).await
    }

    /// Revokes an open invitation and returns it as it was; `None` if there is none by that id.
    /// With `audit`, the same transaction records the outcome.
    pub async fn invalidate(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let who = audit.map(Who::storable);
        let revoked = timed(
            "invalidate",
            self.backend.invalidate(&storable(id), now, who.as_ref()),
        )
        .await;
        self.wake_webhooks();
        revoked
    }

    /// Replaces an open (pending or expired) invitation by a fresh one to the same address,
    /// created at `now`, in one transaction: the address is never without an invitation.
    /// Returns the new invitation; `None` if there is no open one by that id. With `audit`,
    /// the same transaction records a resend with both ids; with `mail`, it queues the fresh
    /// invitation's mail (the old one's queued mail is withdrawn either way).
    pub async fn resend(
        &self,
        id: &str,
        now: DateTime<Utc>,
        audit: Option<&Who>,
        mail: bool,
    ) -> Result<Option<OrganizationInvitation>, StoreError> {
        let who = audit.map(Who::storable);
        let resent = timed(
            "resend",
            self.backend.resend(&storable(id), now, who.as_ref(), mail),
        )
        .await;
        if mail && matches!(resent, Ok(Some(_))) {
            self.wake_mail();
        }
        self.wake_webhooks();
        resent
    }

    /// How many invitations were ever stored, whatever their state.
    pub async fn count_all(&self) -> Result<u64, StoreError> {
        self.backend.count_all().await
    }
}
