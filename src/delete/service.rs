//! Revoking invitations safely: every deletion is confirmed, then waits out an undo window
//! before any request is sent; the calls run a few at a time, and a row whose call fails comes
//! back with the reason. While the server cannot be reached (or says it is briefly
//! unavailable) a revocation is kept and tried again, shown as pending, and only reported done
//! once the server confirms it — a revocation is safe to repeat, since one already made answers
//! 404, which counts as done. Provided once per console and reached through
//! [`Deletions::expect`].

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::deletion::Outcome;

use crate::i18n::words::{key, t, tf, tn};

use crate::api::{ApiClient, ApiError, sleep_ms};
use crate::embed::host_events::HostEvents;
use crate::later::{SplitLoaderError, split};
use org_invitations_core::retry::Backoff;

/// How long Undo is offered before the invitations are revoked on the server.
pub const UNDO_WINDOW: Duration = Duration::from_secs(6);
/// Revocations in flight at once.
const CONCURRENCY: usize = 4;

/// Where a confirmed deletion stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Undo is still possible; nothing was sent.
    Waiting,
    Running {
        done: usize,
        /// The server cannot be reached (or is briefly unavailable): what is left is kept
        /// and tried again until it answers.
        waiting_for_server: bool,
    },
    Finished(Outcome),
}

/// Invitations confirmed for deletion together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: u64,
    pub invitations: Vec<OrganizationInvitation>,
    pub stage: Stage,
}

impl Batch {
    /// "Invitation for a@x.com" or "3 invitations".
    pub fn subject(&self) -> String {
        match self.invitations.as_slice() {
            [one] => tf(key!("delete.subject.one"), &[("email", &one.email)]),
            many => tn(key!("delete.subject.many"), many.len()),
        }
    }

    /// "d2@x.com" or "3 invitations": what its controls name.
    pub fn target(&self) -> String {
        match self.invitations.as_slice() {
            [one] => one.email.clone(),
            many => tn(key!("delete.target.many"), many.len()),
        }
    }
}

/// The latest step of any deletion, for the list's view to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletionEvent {
    /// Rows left the list; Undo is offered for the undo window.
    Confirmed {
        subject: String,
        undo_window: Duration,
    },
    /// Undo put them back.
    Undone { subject: String },
    /// The server stopped answering while a batch ran: it is kept and tried again.
    WaitingForServer { target: String },
    /// The server answered for every row of a batch.
    Finished(Outcome),
}

#[derive(Clone, Copy)]
pub struct Deletions {
    client: StoredValue<ApiClient>,
    /// Asked about, waiting for the dialog's answer.
    pub confirming: RwSignal<Option<Vec<OrganizationInvitation>>>,
    pub batches: RwSignal<Vec<Batch>>,
    timers: StoredValue<HashMap<u64, TimeoutHandle>>,
    next_batch: StoredValue<u64>,
    /// Rows out of the table while their deletion waits or runs.
    pub hidden: RwSignal<HashSet<String>>,
    /// Rows that came back after a failed call, with the reason.
    pub errors: RwSignal<HashMap<String, String>>,
    /// Revocations sent or being tried again, not yet answered for: sent once more, with
    /// requests that outlive the page, if the page goes away.
    unconfirmed: StoredValue<HashSet<String>>,
    /// The latest step, `None` before the first.
    pub last_event: RwSignal<Option<DeletionEvent>>,
    /// Hears the ids the server no longer has, so the list drops them.
    on_deleted: Callback<Vec<String>>,
    events: StoredValue<HostEvents>,
    undo_window: Duration,
}

impl Deletions {
    /// Creates the service and provides it to the components below.
    pub fn provide(
        client: ApiClient,
        on_deleted: Callback<Vec<String>>,
        undo_window: Duration,
    ) -> Self {
        let deletions = Self {
            client: StoredValue::new(client),
            confirming: RwSignal::new(None),
            batches: RwSignal::new(Vec::new()),
            timers: StoredValue::new(HashMap::new()),
            next_batch: StoredValue::new(0),
            hidden: RwSignal::new(HashSet::new()),
            errors: RwSignal::new(HashMap::new()),
            unconfirmed: StoredValue::new(HashSet::new()),
            last_event: RwSignal::new(None),
            on_deleted,
            events: StoredValue::new(HostEvents::use_or_silent()),
            undo_window,
        };
        provide_context(deletions);
        // Leaving the page during the undo window still revokes what was confirmed.
        let leaving = window_event_listener(leptos::ev::pagehide, move |_| {
            deletions.send_waiting_on_leave()
        });
        on_cleanup(move || {
            leaving.remove();
            deletions.send_waiting_on_leave();
        });
        deletions
    }

    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// Opens the confirmation for these invitations.
    pub fn ask(&self, invitations: Vec<OrganizationInvitation>) {
        if !invitations.is_empty() {
            self.confirming.set(Some(invitations));
        }
    }

    pub fn cancel(&self) {
        self.confirming.set(None);
    }

    /// The dialog said Delete: the rows leave the table now, the requests go when the undo
    /// window ends.
    pub fn confirm(&self) {
        let Some(invitations) = self.confirming.get_untracked() else {
            return;
        };
        self.confirming.set(None);
        let ids: Vec<String> = invitations
            .iter()
            .map(|invitation| invitation.id.clone())
            .collect();
        let batch = Batch {
            id: self.new_batch_id(),
            invitations,
            stage: Stage::Waiting,
        };
        let (id, subject) = (batch.id, batch.subject());
        self.hidden
            .update(|hidden| hidden.extend(ids.iter().cloned()));
        self.errors.update(|errors| {
            ids.iter().for_each(|id| {
                errors.remove(id);
            })
        });
        self.batches.update(|batches| batches.push(batch));
        self.last_event.set(Some(DeletionEvent::Confirmed {
            subject,
            undo_window: self.undo_window,
        }));
        let this = *self;
        if let Ok(timer) = set_timeout_with_handle(move || this.commit(id), self.undo_window) {
            self.timers.update_value(|timers| {
                timers.insert(id, timer);
            });
        }
    }

    /// Puts the rows back exactly where they were; nothing was sent.
    pub fn undo(&self, batch_id: u64) {
        let Some(batch) = self.take_waiting(batch_id) else {
            return;
        };
        self.hidden.update(|hidden| {
            batch.invitations.iter().for_each(|invitation| {
                hidden.remove(&invitation.id);
            })
        });
        self.batches
            .update(|batches| batches.retain(|other| other.id != batch_id));
        self.last_event.set(Some(DeletionEvent::Undone {
            subject: batch.subject(),
        }));
    }

    /// Sends a waiting batch's requests now instead of at the end of the undo window.
    pub fn commit(&self, batch_id: u64) {
        let Some(batch) = self.take_waiting(batch_id) else {
            return;
        };
        self.run(batch);
    }

    /// Tries a row whose deletion failed again (it was confirmed already).
    pub fn retry(&self, invitation: OrganizationInvitation) {
        self.errors.update(|errors| {
            errors.remove(&invitation.id);
        });
        self.hidden.update(|hidden| {
            hidden.insert(invitation.id.clone());
        });
        let batch = Batch {
            id: self.new_batch_id(),
            invitations: vec![invitation],
            stage: Stage::Waiting,
        };
        self.batches.update(|batches| batches.push(batch.clone()));
        self.run(batch);
    }

    /// Removes a finished batch's notice.
    pub fn dismiss(&self, batch_id: u64) {
        self.batches.update(|batches| {
            batches
                .retain(|batch| batch.id != batch_id || !matches!(batch.stage, Stage::Finished(_)))
        });
    }

    fn new_batch_id(&self) -> u64 {
        self.next_batch.update_value(|next| *next += 1);
        self.next_batch.get_value()
    }

    /// The batch if it still waits for its undo window, with its timer stopped.
    fn take_waiting(&self, batch_id: u64) -> Option<Batch> {
        if let Some(timer) = self
            .timers
            .try_update_value(|timers| timers.remove(&batch_id))
            .flatten()
        {
            timer.clear();
        }
        self.batches
            .try_with_untracked(|batches| {
                batches
                    .iter()
                    .find(|batch| batch.id == batch_id && batch.stage == Stage::Waiting)
                    .cloned()
            })
            .flatten()
    }

    fn set_stage(&self, batch_id: u64, stage: Stage) {
        self.batches.try_update(|batches| {
            if let Some(batch) = batches.iter_mut().find(|batch| batch.id == batch_id) {
                batch.stage = stage;
            }
        });
    }

    /// Revokes a batch with the code in the `later` module (src/later.rs), which is in by
    /// then in practice: a batch runs after that module's dialog. A module that cannot be
    /// fetched fails every row, as a server that cannot be reached does.
    fn run(&self, batch: Batch) {
        let this = *self;
        spawn_local(async move {
            let (id, invitations) = (batch.id, batch.invitations.clone());
            if revoke_batch(this, batch).await.is_err() {
                let unreached = invitations
                    .into_iter()
                    .map(|invitation| (invitation, Err(ApiError::Unreachable)))
                    .collect();
                this.settle(id, unreached);
            }
        });
    }

    /// Revokes a batch, a few requests at a time, then settles every row.
    fn revoke(&self, batch: Batch) {
        let this = *self;
        self.set_stage(
            batch.id,
            Stage::Running {
                done: 0,
                waiting_for_server: false,
            },
        );
        self.unconfirmed.update_value(|unconfirmed| {
            unconfirmed.extend(
                batch
                    .invitations
                    .iter()
                    .map(|invitation| invitation.id.clone()),
            )
        });
        let client = self.client.get_value();
        let target = batch.target();
        let batch_id = batch.id;
        spawn_local(async move {
            use futures::StreamExt;
            // At most CONCURRENCY requests at once, each row settled as it ends.
            let done = Cell::new(0);
            let results = futures::stream::iter(batch.invitations)
                .map(|invitation| {
                    let (client, target, done) = (&client, &target, &done);
                    async move {
                        let outcome = this
                            .revoke_one(batch_id, client, &invitation, target, done)
                            .await?;
                        this.unconfirmed
                            .try_update_value(|unconfirmed| unconfirmed.remove(&invitation.id));
                        done.set(done.get() + 1);
                        this.set_stage(
                            batch_id,
                            Stage::Running {
                                done: done.get(),
                                waiting_for_server: false,
                            },
                        );
                        Some((invitation, outcome))
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .collect::<Vec<_>>()
                .await;
            // None once the console is gone: what is unconfirmed was sent once more as it
            // went (`send_waiting_on_leave`).
            if let Some(results) = results.into_iter().collect::<Option<Vec<_>>>() {
                this.settle(batch_id, results);
            }
        });
    }

    /// Revokes one invitation, trying again while the server is briefly away; `None` once
    /// the console is gone.
    async fn revoke_one(
        &self,
        batch_id: u64,
        client: &ApiClient,
        invitation: &OrganizationInvitation,
        target: &str,
        done: &Cell<usize>,
    ) -> Option<Result<(), ApiError>> {
        // The console is gone: nothing more is sent.
        self.batches.try_with_untracked(|_| ())?;
        let mut retry = Backoff::default();
        // Whether an earlier try may have revoked it, its answer lost: then a 404 is most
        // likely that try's doing, and counts as deleted.
        let mut maybe_revoked = false;
        loop {
            match client.invalidate(&invitation.id).await {
                Err(ApiError::Server { status: 404, .. }) if maybe_revoked => return Some(Ok(())),
                Err(error) if error.is_temporary() => {
                    maybe_revoked |= error.change_may_have_happened();
                    self.wait_for_server(batch_id, done.get(), target);
                    sleep_ms(retry.next_wait_ms()).await;
                    self.batches.try_with_untracked(|_| ())?;
                }
                answered => return Some(answered.map(|_| ())),
            }
        }
    }

    /// Shows a running batch as waiting for the server, and says so once.
    fn wait_for_server(&self, batch_id: u64, done: usize, target: &str) {
        let already = self
            .batches
            .try_with_untracked(|batches| {
                batches.iter().any(|batch| {
                    batch.id == batch_id
                        && matches!(
                            batch.stage,
                            Stage::Running {
                                waiting_for_server: true,
                                ..
                            }
                        )
                })
            })
            .unwrap_or(true);
        if already {
            return;
        }
        self.set_stage(
            batch_id,
            Stage::Running {
                done,
                waiting_for_server: true,
            },
        );
        self.last_event
            .try_set(Some(DeletionEvent::WaitingForServer {
                target: target.to_owned(),
            }));
    }

    fn settle(&self, batch_id: u64, results: Vec<(OrganizationInvitation, Result<(), ApiError>)>) {
        let mut outcome = Outcome::default();
        let mut gone = Vec::new();
        let mut failed = HashMap::new();
        let (mut gone_emails, mut failed_emails) = (Vec::new(), Vec::new());
        for (invitation, result) in results {
            match result {
                Ok(()) => {
                    outcome.deleted += 1;
                    gone.push(invitation.id);
                    gone_emails.push(invitation.email);
                }
                Err(ApiError::Server { status: 404, .. }) => {
                    outcome.already_gone += 1;
                    gone.push(invitation.id);
                    gone_emails.push(invitation.email);
                }
                Err(error) if error.change_may_have_happened() => {
                    outcome.unknown += 1;
                    failed.insert(
                        invitation.id,
                        tf(key!("delete.row.maybe"), &[("error", &error.in_words())]),
                    );
                    failed_emails.push(invitation.email);
                }
                Err(error) => {
                    outcome.failed += 1;
                    failed.insert(
                        invitation.id,
                        tf(key!("delete.row.failed"), &[("error", &error.in_words())]),
                    );
                    failed_emails.push(invitation.email);
                }
            }
        }
        if let Some(events) = self.events.try_get_value() {
            events.deleted(&gone_emails);
            if !failed_emails.is_empty() {
                events.error(&failed_emails, &t(key!("event.delete_failed")));
            }
        }
        if !gone.is_empty() {
            self.on_deleted.run(gone.clone());
        }
        self.hidden.try_update(|hidden| {
            gone.iter().chain(failed.keys()).for_each(|id| {
                hidden.remove(id);
            })
        });
        self.errors.try_update(|errors| errors.extend(failed));
        self.set_stage(batch_id, Stage::Finished(outcome));
        self.last_event
            .try_set(Some(DeletionEvent::Finished(outcome)));
    }

    /// On leaving the page: what waits for its undo window, and what was sent but not yet
    /// answered for, is revoked with requests that outlive the page.
    fn send_waiting_on_leave(&self) {
        let Some(batches) = self.batches.try_get_untracked() else {
            return;
        };
        let client = self.client.get_value();
        for batch in batches.iter().filter(|batch| batch.stage == Stage::Waiting) {
            for invitation in &batch.invitations {
                client.invalidate_on_leave(&invitation.id);
            }
        }
        if let Some(unconfirmed) = self.unconfirmed.try_get_value() {
            for id in &unconfirmed {
                client.invalidate_on_leave(id);
            }
        }
    }
}

split! {
    /// Revokes `batch` (the `later` module).
    fn revoke_batch(deletions: Deletions, batch: Batch) -> Result<(), SplitLoaderError> {
        deletions.revoke(batch);
        Ok(())
    }
}
