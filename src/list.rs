//! The list: search, filters and the table, with what to say when there is nothing to show.
//! The list's view also owns what is about the view rather than the data: which rows are
//! ticked (where focus goes after a row is deleted is the table's, `table.rs`).

mod table;
mod timeline;
mod toolbar;
mod url_view;

pub use table::TableSkeleton;
pub use url_view::use_url_view;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use org_invitations_core::export::{file_name, invitations_csv};
use org_invitations_core::listing::{ListView, Search};
use org_invitations_core::rows::{Rows, Shown, visible_positions};

use crate::copy_link::{LinkCopies, copy_link_report_part};
use crate::delete::{Deletions, deletion_part};
use crate::download::download_csv;
use crate::i18n::words::{key, t, tf};
use crate::later::{Pending, SplitLoaderError, deferred, split};
use crate::resend::{Resends, resend_report_part};
use crate::session::access::Access;
use crate::time_zone::TimeZoneChoice;
use crate::widgets::notice;
use org_invitations_core::OrganizationInvitation;
use table::InvitationTable;
use timeline::ExpiryTimeline;
use toolbar::ListToolbar;

#[component]
pub fn InvitationList(
    /// Every loaded invitation.
    rows: Signal<Rows>,
    /// Whether more rows are on their way (counts and the timeline say "so far").
    #[prop(optional, into)]
    partial: Signal<bool>,
    /// How the list is sorted and filtered.
    list_view: RwSignal<ListView>,
    /// Which clock dates are shown in.
    zone: RwSignal<TimeZoneChoice>,
    /// The instant statuses are computed against.
    now: Signal<DateTime<Utc>>,
    /// Whether the invite form is above, for the empty list to point at.
    #[prop(optional, into)]
    invite_here: Signal<bool>,
) -> impl IntoView {
    let deletions = Deletions::expect();
    // Asked for, or running, before the dialog's and the notices' module was in.
    let deletions_waiting = Signal::derive(move || {
        deletions.confirming.with(Option::is_some)
            || deletions.batches.with(|batches| !batches.is_empty())
    });
    // Rows ticked for a bulk deletion.
    let selected = RwSignal::new(HashSet::<String>::new());
    // Rows that leave for deletion leave the selection too: an undo brings them back unticked.
    Effect::new(move |_| {
        deletions.hidden.with(|hidden| {
            if selected.with_untracked(|selected| selected.iter().any(|id| hidden.contains(id))) {
                selected.update(|selected| selected.retain(|id| !hidden.contains(id)));
            }
        })
    });
    let positions = Memo::new(move |_| {
        let zone = zone.get();
        let day_of = move |at| zone.day(at);
        list_view.with(|view| {
            deletions.hidden.with(|hidden| {
                let search = Search::new(&view.search);
                let shown = Shown {
                    search: &search,
                    show_expired: view.show_expired,
                    now: now.get(),
                    sort: view.sort,
                    hidden,
                    expires: view.expires.map(|day| (day, &day_of as &dyn Fn(_) -> _)),
                };
                rows.with(|rows| visible_positions(rows, shown))
            })
        })
    });
    // Selected rows that are still in the list, in display order.
    let selected_rows = Memo::new(move |_| {
        selected.with(|selected| {
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
    // "Resend all expired": every loaded expired invitation that is not being deleted.
    let resends = use_context::<Resends>();
    let expired_rows = Memo::new(move |_| {
        let now = now.get();
        deletions.hidden.with(|hidden| {
            rows.with(|rows| {
                rows.iter()
                    .map(|row| &row.invitation)
                    .filter(|invitation| {
                        invitation.is_expired(now) && !hidden.contains(&invitation.id)
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let resend_expired = resends.map(|resends| {
        view! {
            <Show when=move || expired_rows.with(|rows| !rows.is_empty())>
                <button
                    type="button"
                    class="oi-button oi-changes"
                    disabled=move || resends.progress.get().is_some()
                    on:click=move |_| resends.resend(expired_rows.get_untracked())
                >
                    {move || {
                        tf(
                            key!("list.resend_expired"),
                            &[("count", &expired_rows.with(Vec::len).to_string())],
                        )
                    }}
                </button>
            </Show>
        }
    });
    // "Export CSV": exactly the rows of the view, in its order, dates as shown.
    let organization = use_context::<Access>().map(|access| access.organization);
    let export_failed = RwSignal::new(false);
    let export = move |_| {
        let (now, zone) = (now.get_untracked(), zone.get_untracked());
        let shown = rows.with_untracked(|rows| {
            positions.with_untracked(|positions| {
                positions
                    .iter()
                    .map(|position| rows[*position].invitation.clone())
                    .collect()
            })
        });
        let organization = organization.and_then(|name| name.get_untracked());
        leptos::task::spawn_local(async move {
            let failed = export_csv(organization, shown, zone, now).await.is_err();
            export_failed.try_set(failed);
        });
    };
    let total = move || rows.with(|rows| rows.len());
    let shown = move || positions.with(Vec::len);
    let has_rows = Memo::new(move |_| total() > 0);
    let has_matches = Memo::new(move |_| shown() > 0);
    let announcement = move || {
        let sort = list_view.with(|view| view.sort);
        let key = if partial.get() {
            key!("list.announce.partial")
        } else {
            key!("list.announce")
        };
        tf(
            key,
            &[
                ("shown", &shown().to_string()),
                ("total", &total().to_string()),
                ("column", &t(sort.column.message_key())),
                ("direction", &t(sort.direction.message_key())),
            ],
        )
    };

    view! {
        <ExpiryTimeline rows partial list_view zone=zone.into() now />
        <ListToolbar list_view zone />
        {deferred(|| Box::pin(deletion_part()), (), Pending::WhenNeeded(deletions_waiting))}
        <div class="oi-bulk">
            <button
                type="button"
                class="oi-button"
                // A file of part of the list would pass for all of it.
                disabled=move || !has_matches.get() || partial.get()
                on:click=export
            >
                {t(key!("list.export"))}
            </button>
            {resend_expired}
            {notice(move || export_failed.get().then(|| t(key!("later.failed"))))}
            <button
                type="button"
                class="oi-button oi-danger oi-changes"
                disabled=move || selected_rows.with(Vec::is_empty)
                on:click=move |_| deletions.ask(selected_rows.get_untracked())
            >
                {move || {
                    tf(
                        key!("list.delete_selected"),
                        &[("count", &selected_rows.with(Vec::len).to_string())],
                    )
                }}
            </button>
            {resends
                .map(|resends| {
                    let waiting = Signal::derive(move || {
                        resends.progress.with(Option::is_some)
                            || resends.report.with(Option::is_some)
                    });
                    deferred(|| Box::pin(resend_report_part()), (), Pending::WhenNeeded(waiting))
                })}
            {use_context::<LinkCopies>()
                .map(|copies| {
                    let waiting = Signal::derive(move || copies.latest.with(Option::is_some));
                    deferred(|| Box::pin(copy_link_report_part()), (), Pending::WhenNeeded(waiting))
                })}
        </div>
        <p class="oi-sr-only" role="status" aria-live="polite">
            {announcement}
        </p>
        <Show when=move || has_rows.get() fallback=move || view! { <EmptyList invite_here /> }>
            <Show
                when=move || has_matches.get()
                fallback=move || {
                    view! {
                        <p class="oi-empty">
                            {move || {
                                list_view
                                    .with(|view| {
                                        if view.expires.is_some() {
                                            t(key!("list.empty.day"))
                                        } else if view.search.trim().is_empty() {
                                            t(key!("list.empty.expired_hidden"))
                                        } else {
                                            tf(
                                                key!("list.empty.no_match"),
                                                &[("search", view.search.trim())],
                                            )
                                        }
                                    })
                            }}
                        </p>
                    }
                }
            >
                <InvitationTable rows positions list_view selected zone=zone.into() now />
            </Show>
        </Show>
    }
}

split! {
    /// Writes `invitations` as CSV and offers the file, named for the organization and the
    /// day (the `later` module).
    fn export_csv(
        organization: Option<String>,
        invitations: Vec<OrganizationInvitation>,
        zone: TimeZoneChoice,
        now: DateTime<Utc>,
    ) -> Result<(), SplitLoaderError> {
        let csv = invitations_csv(t, invitations.iter(), |at| zone.format(at), now);
        download_csv(&file_name(organization.as_deref(), zone.day(now)), &csv);
        Ok(())
    }
}

/// What an empty list says, with a way to the form when there is one.
#[component]
fn EmptyList(invite_here: Signal<bool>) -> impl IntoView {
    // The form's field, found from the button: the console may live in a shadow root.
    let to_the_form = |event: leptos::ev::MouseEvent| {
        let field = event
            .target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
            .and_then(|button| button.closest(".oi-console").ok().flatten())
            .and_then(|console| console.query_selector("textarea").ok().flatten())
            .and_then(|field| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(field).ok());
        if let Some(field) = field {
            let _ = field.focus();
        }
    };
    view! {
        <div class="oi-empty-state">
            <p class="oi-empty">{t(key!("list.empty"))}</p>
            <Show when=move || invite_here.get()>
                <button type="button" class="oi-button oi-primary" on:click=to_the_form>
                    {t(key!("list.invite_people"))}
                </button>
            </Show>
        </div>
    }
}
