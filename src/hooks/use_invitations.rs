use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use org_invitations_core::retry::Backoff;
use org_invitations_core::rows::{Row, Rows};

use crate::api::{ApiClient, ApiError, ListOptions};
use crate::embed::host_events::HostEvents;

/// Progress of a load in flight: rows so far, and the total when the server says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub loaded: usize,
    pub total: Option<u64>,
}

/// Every invitation the API lists, with how loading them goes. The first load shows rows as
/// pages arrive; after that, the last good list stays while a new load runs or after one fails.
#[derive(Clone, Copy)]
pub struct Invitations {
    /// The last list that loaded, or the pages of the first load so far; `None` before any.
    pub rows: RwSignal<Option<Rows>>,
    /// Whether `rows` is only part of the list: the first load is still bringing pages (or
    /// stopped short), so counts and the timeline say "so far".
    pub partial: RwSignal<bool>,
    /// `Some` while a load runs.
    pub progress: RwSignal<Option<Progress>>,
    /// Why the newest load failed, until one succeeds.
    pub failure: RwSignal<Option<ApiError>>,
    /// When the list last loaded.
    pub refreshed_at: RwSignal<Option<DateTime<Utc>>>,
    client: StoredValue<ApiClient>,
    /// The clock, set when a load finishes so statuses agree with "Refreshed at".
    now: RwSignal<DateTime<Utc>>,
    /// Cancels the load in flight: a newer load, or the console going away, supersedes it.
    in_flight: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
    /// When to load again while the server cannot be reached.
    retry: StoredValue<Backoff>,
    events: HostEvents,
}

/// Loads every invitation now and whenever [`Invitations::reload`] is called; a load started
/// while another runs cancels the older one (its requests are aborted and its result dropped).
///
/// ```ignore
/// let invitations = use_invitations(client, now, host_events);
/// view! { <button on:click=move |_| invitations.reload()>"Refresh"</button> }
/// ```
pub fn use_invitations(
    client: ApiClient,
    now: RwSignal<DateTime<Utc>>,
    events: HostEvents,
) -> Invitations {
    let invitations = Invitations {
        rows: RwSignal::new(None),
        partial: RwSignal::new(false),
        progress: RwSignal::new(None),
        failure: RwSignal::new(None),
        refreshed_at: RwSignal::new(None),
        client: StoredValue::new(client),
        now,
        in_flight: StoredValue::new_local(None),
        retry: StoredValue::new(Backoff::default()),
        events,
    };
    invitations.reload();
    on_cleanup(move || invitations.cancel());
    invitations
}

impl Invitations {
    /// Loads the whole list again, cancelling a load still running.
    pub fn reload(&self) {
        self.load(true);
    }

    /// Reads the list again without saying so (no progress, Refresh stays available), to
    /// follow what changes by itself on the server (mail on its way); a load already running
    /// is left to finish.
    pub fn follow(&self) {
        if self.in_flight.with_value(Option::is_none) {
            self.load(false);
        }
    }

    fn load(&self, visibly: bool) {
        self.cancel();
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        let abort = controller.signal();
        self.in_flight.set_value(Some(controller));
        if visibly {
            self.progress.set(Some(Progress {
                loaded: 0,
                total: None,
            }));
        }
        let this = *self;
        let client = self.client.get_value();
        // With nothing on screen yet, each page joins the list as it arrives; with a list
        // shown, the new one replaces it whole, so nothing the viewer sees comes and goes.
        let progressive = self.rows.with_untracked(Option::is_none);
        spawn_local(async move {
            let mut arrived: Vec<Row> = Vec::new();
            let mut shown = 0;
            let result = client
                .list_all(
                    ListOptions {
                        include_expired: true,
                    },
                    Some(&abort),
                    |page, total| {
                        if abort.aborted() {
                            return;
                        }
                        arrived.extend(page.into_iter().map(Row::from));
                        let loaded = shown + arrived.len();
                        if visibly {
                            this.progress.try_set(Some(Progress { loaded, total }));
                        }
                        // Shown at once, then each time the rows so far have doubled: sorting
                        // what has arrived costs at most about twice sorting the whole list.
                        if progressive && loaded >= 2 * shown {
                            this.partial.try_set(true);
                            this.show_more(std::mem::take(&mut arrived));
                            shown = loaded;
                        }
                    },
                )
                .await;
            if abort.aborted() {
                return;
            }
            // Not aborted: no later load replaced this one.
            this.in_flight.try_update_value(|running| *running = None);
            this.progress.try_set(None);
            match result {
                Ok(_) => {
                    this.retry.try_update_value(Backoff::reset);
                    let at = Utc::now();
                    if progressive {
                        this.show_more(arrived);
                    } else {
                        this.rows.try_set(Some(Arc::new(arrived)));
                    }
                    this.partial.try_set(false);
                    this.failure.try_set(None);
                    this.now.try_set(at);
                    this.refreshed_at.try_set(Some(at));
                }
                Err(error) => {
                    this.events.error(&[], &error.in_words());
                    let temporary = error.is_temporary();
                    this.failure.try_set(Some(error));
                    if temporary {
                        this.reload_later();
                    }
                }
            }
        });
    }

    /// Adds rows of the load in flight to those shown.
    fn show_more(&self, more: Vec<Row>) {
        self.rows.try_update(|rows| {
            let rows = rows.get_or_insert_with(Rows::default);
            // The list's memos hold positions, not the rows: this extends in place.
            Arc::make_mut(rows).extend(more);
        });
    }

    /// Drops rows the server no longer has, without a reload.
    pub fn remove(&self, gone: &HashSet<String>) {
        self.rows.try_update(|rows| {
            if let Some(loaded) = rows {
                *loaded = Arc::new(
                    loaded
                        .iter()
                        .filter(|row| !gone.contains(&row.invitation.id))
                        .cloned()
                        .collect(),
                );
            }
        });
    }

    /// While the server cannot be reached, loads again after a wait that grows; stops once a
    /// load (this one, or one the person started) succeeds, or the console is gone.
    fn reload_later(&self) {
        let this = *self;
        let Some(wait) = self.retry.try_update_value(|retry| retry.next_wait_ms()) else {
            return;
        };
        set_timeout(
            move || {
                let still_away = this
                    .failure
                    .try_with_untracked(|failure| {
                        failure.as_ref().is_some_and(ApiError::is_temporary)
                    })
                    .unwrap_or(false);
                if still_away && this.progress.try_get_untracked() == Some(None) {
                    this.reload();
                }
            },
            std::time::Duration::from_millis(u64::from(wait)),
        );
    }

    fn cancel(&self) {
        if let Some(Some(running)) = self.in_flight.try_update_value(Option::take) {
            running.abort();
        }
    }
}
