//! The resends themselves: one address after another, each reported as it ends.

use crate::i18n::words::{key, t};
use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::resend::ResendOutcome;

use crate::api::{ApiClient, ApiError};
use crate::later::{SplitLoaderError, split};

/// One address's line in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendLine {
    pub email: String,
    pub outcome: ResendOutcome,
}

#[derive(Clone, Copy)]
pub struct Resends {
    client: StoredValue<ApiClient>,
    /// Whether the server resends in one step (its `me` says so); else revoke, then create.
    atomic: Signal<bool>,
    /// (done, total) while resending; `Some` also keeps a second run from starting.
    pub progress: RwSignal<Option<(usize, usize)>>,
    /// What the latest run did, address by address.
    pub report: RwSignal<Option<Vec<ResendLine>>>,
    /// Called after every run, so the list shows the new invitations.
    on_changed: Callback<()>,
}

impl Resends {
    /// Creates the service and provides it to the components below.
    pub fn provide(client: ApiClient, atomic: Signal<bool>, on_changed: Callback<()>) -> Self {
        let resends = Self {
            client: StoredValue::new(client),
            atomic,
            progress: RwSignal::new(None),
            report: RwSignal::new(None),
            on_changed,
        };
        provide_context(resends);
        resends
    }

    /// Resends each invitation, one after another, then reports every address.
    pub fn resend(&self, invitations: Vec<OrganizationInvitation>) {
        if invitations.is_empty() || self.progress.get_untracked().is_some() {
            return;
        }
        let this = *self;
        let total = invitations.len();
        self.progress.set(Some((0, total)));
        self.report.set(None);
        spawn_local(async move {
            // The code that resends is in the `later` module (src/later.rs): a module that
            // cannot be fetched leaves every invitation as it was, and says why.
            let emails: Vec<String> = invitations
                .iter()
                .map(|invitation| invitation.email.clone())
                .collect();
            if start_resends(this, invitations).await.is_err() {
                let why = t(key!("later.failed"));
                let lines = emails
                    .into_iter()
                    .map(|email| ResendLine {
                        email,
                        outcome: ResendOutcome::NotResent(why.clone()),
                    })
                    .collect();
                this.progress.try_set(None);
                this.report.try_set(Some(lines));
            }
        });
    }

    /// Invites again an address whose old invitation was revoked but whose new one failed.
    pub fn invite_again(&self, email: String) {
        let this = *self;
        let client = self.client.get_value();
        spawn_local(async move {
            let outcome = create(&client, &email).await;
            this.report.try_update(|report| {
                if let Some(line) = report.iter_mut().flatten().find(|line| line.email == email) {
                    line.outcome = outcome;
                }
            });
            this.on_changed.run(());
        });
    }
}

split! {
    /// Resends each invitation, one after another, then reports every address (the `later`
    /// module).
    fn start_resends(
        resends: Resends,
        invitations: Vec<OrganizationInvitation>,
    ) -> Result<(), SplitLoaderError> {
        let total = invitations.len();
        let client = resends.client.get_value();
        let atomic = resends.atomic.get_untracked();
        spawn_local(async move {
            let mut lines = Vec::with_capacity(total);
            for invitation in invitations {
                let outcome = resend_one(&client, &invitation, atomic).await;
                lines.push(ResendLine {
                    email: invitation.email,
                    outcome,
                });
                resends.progress.try_set(Some((lines.len(), total)));
            }
            resends.progress.try_set(None);
            resends.report.try_set(Some(lines));
            resends.on_changed.run(());
        });
        Ok(())
    }
}

async fn resend_one(
    client: &ApiClient,
    invitation: &OrganizationInvitation,
    atomic: bool,
) -> ResendOutcome {
    let revoked = if atomic {
        client.resend(&invitation.id).await.map(drop)
    } else {
        client.invalidate(&invitation.id).await.map(drop)
    };
    match revoked {
        Ok(()) if atomic => ResendOutcome::Resent,
        Ok(()) => create(client, &invitation.email).await,
        Err(ApiError::Server { status: 404, .. }) => {
            ResendOutcome::NotResent(t(key!("resend.why.gone")))
        }
        Err(ApiError::Unreachable) => ResendOutcome::NotResent(t(key!("resend.why.unreachable"))),
        Err(error) => ResendOutcome::NotResent(error.in_words()),
    }
}

/// The second step of a resend through a gateway (and "Invite again"): a new invitation.
/// An address that already has one (409) is as it should be.
async fn create(client: &ApiClient, email: &str) -> ResendOutcome {
    // Only through a gateway (this project's server resends in one step), whose upstream
    // writes its own mail.
    match client.batch_create(&[email.to_owned()], None).await {
        Ok(answer) => match answer.results.into_iter().next() {
            Some(result) if result.status == 200 || result.status == 409 => ResendOutcome::Resent,
            Some(result) => ResendOutcome::RevokedOnly(
                result
                    .error
                    .map_or_else(|| format!("HTTP {}", result.status), |error| error.detail),
            ),
            None => ResendOutcome::RevokedOnly(t(key!("resend.why.no_answer"))),
        },
        Err(error) => ResendOutcome::RevokedOnly(error.in_words()),
    }
}
