//! The list: search, filters and the table, with what to say when there is nothing to show.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use org_invitations_core::listing::{ListView, Search};

use crate::delete_dialog::ConfirmDeleteDialog;
use crate::deletion::Deletions;
use crate::deletion_notices::DeletionNotices;
use crate::invitation_table::InvitationTable;
use crate::list_toolbar::ListToolbar;
use crate::rows::{Rows, Shown, visible_positions};
use crate::time_zone::TimeZoneChoice;

#[component]
pub fn InvitationList(
    /// Every loaded invitation.
    rows: Signal<Rows>,
    /// How the list is sorted and filtered.
    view: RwSignal<ListView>,
    /// Which clock dates are shown in.
    zone: RwSignal<TimeZoneChoice>,
    /// The instant statuses are computed against.
    now: Signal<DateTime<Utc>>,
) -> impl IntoView {
    let deletions = Deletions::expect();
    let positions = Memo::new(move |_| {
        view.with(|view| {
            deletions.hidden.with(|hidden| {
                let search = Search::new(&view.search);
                let shown = Shown {
                    search: &search,
                    show_expired: view.show_expired,
                    now: now.get(),
                    sort: view.sort,
                    hidden,
                };
                rows.with(|rows| visible_positions(rows, shown))
            })
        })
    });
    // Selected rows that are still in the list, in display order.
    let selected_rows = Memo::new(move |_| {
        deletions.selected.with(|selected| {
            rows.with(|rows| {
                positions.with(|positions| {
                    positions
                        .iter()
                        .map(|position| &rows[*position].invitation)
                        .filter(|invitation| selected.contains(&invitation.id))
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let total = move || rows.with(|rows| rows.len());
    let shown = move || positions.with(Vec::len);
    let has_rows = Memo::new(move |_| total() > 0);
    let has_matches = Memo::new(move |_| shown() > 0);
    let announcement = move || {
        let sort = view.with(|view| view.sort);
        format!(
            "{} of {} invitations shown, sorted by {}, {}",
            shown(),
            total(),
            sort.column.label(),
            sort.direction.aria()
        )
    };

    view! {
        <ListToolbar view zone />
        <DeletionNotices />
        <ConfirmDeleteDialog />
        <div class="oi-bulk">
            <button
                type="button"
                class="oi-button oi-danger"
                disabled=move || selected_rows.with(Vec::is_empty)
                on:click=move |_| deletions.ask(selected_rows.get_untracked())
            >
                {move || format!("Delete selected ({})", selected_rows.with(Vec::len))}
            </button>
        </div>
        <p class="oi-sr-only" role="status" aria-live="polite">{announcement}</p>
        <Show
            when=move || has_rows.get()
            fallback=|| view! { <p class="oi-empty">"No invitations yet. Invite people with the form above."</p> }
        >
            <Show
                when=move || has_matches.get()
                fallback=move || {
                    view! {
                        <p class="oi-empty">
                            {move || view.with(|view| {
                                if view.search.trim().is_empty() {
                                    "Every invitation is expired, and expired ones are hidden.".to_owned()
                                } else {
                                    format!("No invitations match “{}”.", view.search.trim())
                                }
                            })}
                        </p>
                    }
                }
            >
                <InvitationTable rows positions view zone=zone.into() now />
            </Show>
        </Show>
    }
}
