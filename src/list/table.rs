//! The invitation table: the Anyscale CLI's four columns, sortable headers, status in words,
//! and only the rows that can be seen in the DOM, so 10,000 invitations stay fast.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use org_invitations_core::datetime::format_utc_exact;
use org_invitations_core::invitation::{Delivery, DeliveryState, shortened_id};
use org_invitations_core::listing::{ListView, SortColumn, SortDirection};
use org_invitations_core::rows::{Rows, rendered_window};
use org_invitations_core::status::Status;

use crate::activity::ActivityFilter;
use crate::copy_link::LinkCopies;
use crate::delete::Deletions;
use crate::hooks::{Viewport, use_visible_stretch};
use crate::i18n::words::{key, relative_time, t, tf};
use crate::resend::Resends;
use crate::session::access::Access;
use crate::time_zone::TimeZoneChoice;

/// Columns: selection, the CLI's four, actions.
const COLUMNS: &str = "6";

/// `.oi-row`'s height when the stylesheet says nothing else. The stylesheet's own value
/// (`--oi-row-height`, which hosts set through `--org-invitations-row-height`) is read when
/// the table is measured: the window of rendered rows is computed from it.
pub const ROW_HEIGHT_PX: f64 = 48.0;
/// Rows rendered beyond each edge of the viewport, so fast scrolling shows no gap.
const OVERSCAN: usize = 10;

#[component]
pub fn InvitationTable(
    /// Every loaded invitation.
    rows: Signal<Rows>,
    /// Positions in `rows` to show, in display order.
    positions: Memo<Vec<usize>>,
    /// The sort the headers show and change.
    list_view: RwSignal<ListView>,
    /// Ids of the rows ticked for a bulk deletion.
    selected: RwSignal<HashSet<String>>,
    /// Which clock dates are shown in.
    zone: Signal<TimeZoneChoice>,
    /// The instant statuses and relative phrases are computed against.
    now: Signal<DateTime<Utc>>,
) -> impl IntoView {
    let scroller = NodeRef::<leptos::html::Div>::new();
    let body = NodeRef::<leptos::html::Tbody>::new();
    let viewport = use_visible_stretch(body);
    let visible = viewport.visible;
    let (row_height, set_row_height) = signal(ROW_HEIGHT_PX);
    // The phone layout's rows are taller: read again when the width may have crossed over.
    let read_row_height = move || {
        if let Some(height) = body.get_untracked().and_then(|body| row_height_of(&body)) {
            if height != row_height.get_untracked() {
                set_row_height.set(height);
            }
        }
    };
    let resize = window_event_listener(leptos::ev::resize, move |_| read_row_height());
    on_cleanup(move || resize.remove());
    // A different number of rows changes the page's height, and so what is in view. (The
    // rows' height is read once they are rendered, below.)
    Effect::new(move |_| {
        positions.track();
        viewport.remeasure();
    });
    let from = keep_rows_in_view(rows, positions, list_view, viewport, row_height);
    // Each invitation's mail, by id: it changes while the row stays (the list is read again
    // while mail is queued), and a row keeps its place and focus.
    let deliveries = Memo::new(move |_| {
        rows.with(|rows| {
            rows.iter()
                .filter_map(|row| {
                    let delivery = row.invitation.delivery.clone()?;
                    Some((row.invitation.id.clone(), delivery))
                })
                .collect::<std::collections::HashMap<_, _>>()
        })
    });

    // After a row is deleted, focus moves to the Delete button of the row now in its place;
    // when the dialog is cancelled instead, the dialog gives focus back to the button itself.
    let deletions = Deletions::expect();
    // The display index and id of the row whose Delete button opened the dialog.
    let return_focus = RwSignal::new(None::<(usize, String)>);
    let copied = RwSignal::new(None::<Copied>);
    let copy_announcement = move || {
        copied.get().map(|copied| match copied {
            Copied::Done(id) => tf(key!("table.copied"), &[("id", &id)]),
            Copied::Refused => t(key!("table.copy_refused")),
        })
    };
    Effect::new(move |_| {
        let asking = deletions.confirming.with(Option::is_some);
        let hidden = deletions.hidden.with(|hidden| hidden.clone());
        if asking {
            return;
        }
        let Some((index, id)) = return_focus.get_untracked() else {
            return;
        };
        return_focus.set(None);
        if !hidden.contains(&id) {
            return;
        }
        request_animation_frame(move || {
            let Some(scroller) = scroller.get_untracked() else {
                return;
            };
            let buttons = scroller.query_selector_all("button.oi-delete").ok();
            let count = buttons
                .as_ref()
                .map(|buttons| buttons.length())
                .unwrap_or(0);
            let target = (0..count)
                .filter_map(|i| buttons.as_ref().and_then(|buttons| buttons.item(i)))
                .filter_map(|node| {
                    wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(node).ok()
                })
                .find(|button| {
                    button
                        .dataset()
                        .get("index")
                        .and_then(|i| i.parse::<usize>().ok())
                        >= Some(index)
                })
                .or_else(|| {
                    (0..count)
                        .rev()
                        .filter_map(|i| buttons.as_ref().and_then(|buttons| buttons.item(i)))
                        .find_map(|node| {
                            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(node).ok()
                        })
                });
            if let Some(button) = target {
                let _ = button.focus();
            }
        });
    });
    let shown_ids = Signal::derive(move || {
        rows.with(|rows| {
            positions.with(|positions| {
                positions
                    .iter()
                    .map(|position| rows[*position].invitation.id.clone())
                    .collect::<Vec<_>>()
            })
        })
    });

    // (first, end, total): the slice of `positions` that is rendered.
    let window = Memo::new(move |_| {
        let total = positions.with(Vec::len);
        let rendered = rendered_window(
            from.get(),
            visible.with(|visible| visible.height),
            row_height.get(),
            OVERSCAN,
            total,
        );
        (rendered.start, rendered.end, total)
    });
    // Rows just rendered tell their true height (the stylesheet's may be outgrown).
    Effect::new(move |_| {
        window.track();
        read_row_height();
    });
    let spacer_above = move || pixels(window.get().0 as f64 * row_height.get());
    let spacer_below = move || {
        let (_, end, total) = window.get();
        pixels((total - end) as f64 * row_height.get())
    };
    // A rendered row's display index, found by its id in the rendered slice (a few dozen
    // rows): a row stays the same element while it is rendered (focus in it stays put), and
    // only its index follows the list.
    let index_of = move |id: &str| {
        let (first, end, _) = window.get();
        rows.with(|rows| {
            positions.with(|positions| {
                positions[first..end]
                    .iter()
                    .position(|position| rows[*position].invitation.id == id)
                    .map_or(0, |offset| first + offset)
            })
        })
    };
    // Each rendered row: its position in `rows`.
    let shown = move || {
        let (first, end, _) = window.get();
        positions.with(|positions| positions[first..end].to_vec())
    };
    view! {
        <p class="oi-sr-only" role="status">
            {copy_announcement}
        </p>
        <div class="oi-scroller" node_ref=scroller>
            <table role="table" class="oi-table" aria-rowcount=move || window.get().2 + 1>
                <TableHead controls=Some(HeadControls {
                    list_view,
                    shown_ids,
                    selected,
                }) />
                <tbody role="rowgroup" node_ref=body>
                    <tr class="oi-spacer" aria-hidden="true">
                        <td colspan=COLUMNS style:height=spacer_above></td>
                    </tr>
                    <For
                        each=shown
                        key=move |position| {
                            rows.with_untracked(|rows| rows[*position].invitation.id.clone())
                        }
                        children=move |position| {
                            let invitation = rows
                                .with_untracked(|rows| rows[position].invitation.clone());
                            let id = invitation.id.clone();
                            let index = Memo::new(move |_| index_of(&id)).into();
                            view! {
                                <InvitationRow
                                    invitation
                                    deliveries
                                    index
                                    selected
                                    return_focus
                                    copied
                                    zone
                                    now
                                />
                            }
                        }
                    />
                    <tr class="oi-spacer" aria-hidden="true">
                        <td colspan=COLUMNS style:height=spacer_below></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn InvitationRow(
    invitation: org_invitations_core::OrganizationInvitation,
    /// Position in display order, from 0.
    index: Signal<usize>,
    /// Ids of the rows ticked for a bulk deletion.
    selected: RwSignal<HashSet<String>>,
    /// Every invitation's mail, by id.
    deliveries: Memo<std::collections::HashMap<String, Delivery>>,
    /// Set when this row's Delete button opens the dialog.
    return_focus: RwSignal<Option<(usize, String)>>,
    /// How copying an id went, for the table's announcement.
    copied: RwSignal<Option<Copied>>,
    zone: Signal<TimeZoneChoice>,
    now: Signal<DateTime<Utc>>,
) -> impl IntoView {
    let deletions = Deletions::expect();
    let created_at = invitation.created_at;
    let expires_at = invitation.expires_at;
    let status = Memo::new(move |_| Status::of_instant(expires_at, now.get()));
    let id = invitation.id.clone();
    let is_selected = {
        let id = id.clone();
        move || selected.with(|selected| selected.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |checked: bool| {
            selected.update(|selected| {
                if checked {
                    selected.insert(id.clone());
                } else {
                    selected.remove(&id);
                }
            })
        }
    };
    let error = {
        let id = id.clone();
        move || deletions.errors.with(|errors| errors.get(&id).cloned())
    };
    let for_delete = invitation.clone();
    let for_retry = invitation.clone();
    view! {
        <tr
            role="row"
            class=move || format!("oi-row oi-status-{}", status.get().key())
            aria-rowindex=move || index.get() + 2
        >
            <td role="cell" class="oi-select">
                <input
                    type="checkbox"
                    aria-label=tf(key!("table.select"), &[("email", &invitation.email)])
                    prop:checked=is_selected
                    on:change=move |event| toggle(event_target_checked(&event))
                />
            </td>
            <td role="cell" class="oi-id" title=invitation.id.clone()>
                // The short form is for eyes; the whole id is what is read out and copied.
                <span class="oi-id-short" aria-hidden="true" dir="ltr">
                    {shortened_id(&invitation.id).into_owned()}
                </span>
                <span class="oi-id-full oi-sr-only">{invitation.id.clone()}</span>
                {copy_button(&invitation.id, copied)}
            </td>
            // Addresses and ids read left to right inside right-to-left text.
            <td role="cell" class="oi-email" title=invitation.email.clone()>
                <bdi>{invitation.email.clone()}</bdi>
            </td>
            <td
                role="cell"
                class="oi-date oi-created"
                title=format_utc_exact(created_at)
                data-label=t(key!("table.created"))
            >
                <span class="oi-created-at">{move || zone.get().format(created_at)}</span>
                // The mail under its creation: the row's second line, so no column widens.
                {
                    let id = invitation.id.clone();
                    move || deliveries.with(|deliveries| deliveries.get(&id).map(delivery_in_words))
                }
            </td>
            <td role="cell" class="oi-date oi-expires" title=format_utc_exact(expires_at)>
                <span class="oi-expires-at">{move || zone.get().format(expires_at)}</span>
                " "
                <span class="oi-relative">
                    {move || {
                        tf(
                            key!("table.relative"),
                            &[("phrase", &relative_time(expires_at, now.get()))],
                        )
                    }}
                </span>
                " "
                <span class="oi-badge">{move || t(status.get().message_key())}</span>
            </td>
            <td role="cell" class="oi-actions">
                // Two short lines (a failure, Resend and Copy link; History and Delete): the
                // column stays narrow, and the address keeps the width.
                <span class="oi-row-links">
                    {move || {
                        error()
                            .map(|message| {
                                let retry = for_retry.clone();
                                view! {
                                    <span class="oi-row-error" title=message.clone()>
                                        {message.clone()}
                                    </span>
                                    " "
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=tf(
                                            key!("table.retry_delete"),
                                            &[("email", &retry.email)],
                                        )
                                        on:click=move |_| deletions.retry(retry.clone())
                                    >
                                        {t(key!("table.retry"))}
                                    </button>
                                    " "
                                }
                            })
                    }} {resend_button(&invitation)} {copy_link_button(&invitation)}
                </span>
                " "
                <span class="oi-row-links">
                    {history_button(&invitation.email)}
                    <button
                        type="button"
                        class="oi-button oi-delete"
                        data-index=move || index.get().to_string()
                        aria-label=tf(key!("table.delete_for"), &[("email", &invitation.email)])
                        on:click=move |_| {
                            return_focus.set(Some((index.get_untracked(), for_delete.id.clone())));
                            deletions.ask(vec![for_delete.clone()]);
                        }
                    >
                        {t(key!("table.delete"))}
                    </button>
                </span>
            </td>
        </tr>
    }
}

/// How the invitation's mail fares, where the server sends it (this project's server): queued
/// (with why it waits, if it does), sent, written to the server's folder, a reminder sent, or
/// not delivered with the mail server's reason (cut
/// to the cell's width on screen, whole for a screen reader and in the tooltip).
fn delivery_in_words(delivery: &Delivery) -> impl IntoView + use<> {
    let text = match delivery.state {
        DeliveryState::Queued => match delivery.error.as_deref() {
            // Tried and refused for now, or held by a sending limit: the reason, and it waits.
            Some(error) => tf(key!("delivery.waiting"), &[("error", error)]),
            None => t(key!("delivery.queued")),
        },
        // The reminder (`--remind-before`) went: the invitation's own mail went before it.
        DeliveryState::Sent | DeliveryState::Written if delivery.reminder => {
            t(key!("delivery.reminded"))
        }
        DeliveryState::Sent => t(key!("delivery.sent")),
        DeliveryState::Written => t(key!("delivery.written")),
        DeliveryState::Failed => tf(
            key!("delivery.failed"),
            &[("error", delivery.error.as_deref().unwrap_or_default())],
        ),
    };
    let (class, title) = (
        format!("oi-delivery oi-delivery-{}", delivery.state.name()),
        text.clone(),
    );
    view! {
        " "
        <span class=class title=title>
            {text}
        </span>
    }
}

/// How the newest "Copy ID" went.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Copied {
    Done(String),
    Refused,
}

/// A button that puts the whole id on the clipboard, marked done once the browser has it.
fn copy_button(id: &str, copied: RwSignal<Option<Copied>>) -> impl IntoView + use<> {
    let label = tf(key!("table.copy_id"), &[("id", id)]);
    let id = id.to_owned();
    let done = {
        let id = id.clone();
        move || copied.with(|copied| copied.as_ref() == Some(&Copied::Done(id.clone())))
    };
    let copy = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let promise = window().navigator().clipboard().write_text(&id);
            let outcome = match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => Copied::Done(id),
                Err(_) => Copied::Refused,
            };
            copied.try_set(Some(outcome));
        });
    };
    view! {
        <button type="button" class="oi-copy" class:oi-copied=done aria-label=label on:click=copy>
            <span class="oi-copy-icon" aria-hidden="true"></span>
            <span class="oi-copy-label" aria-hidden="true">
                {t(key!("table.copy_label"))}
            </span>
        </button>
    }
}

/// "Resend" (a fresh invitation, new id, full lifetime), where the console resends.
fn resend_button(
    invitation: &org_invitations_core::OrganizationInvitation,
) -> Option<impl IntoView + use<>> {
    let resends = use_context::<Resends>()?;
    let label = tf(key!("table.resend_for"), &[("email", &invitation.email)]);
    let invitation = invitation.clone();
    Some(view! {
        <button
            type="button"
            class="oi-link"
            aria-label=label
            disabled=move || resends.progress.get().is_some()
            on:click=move |_| resends.resend(vec![invitation.clone()])
        >
            {t(key!("table.resend"))}
        </button>
        " "
    })
}

/// "Copy link": a fresh link to hand over another way (shown where the server makes them:
/// the console's `oi-mailing` class).
fn copy_link_button(
    invitation: &org_invitations_core::OrganizationInvitation,
) -> Option<impl IntoView + use<>> {
    let copies = use_context::<LinkCopies>()?;
    let label = tf(key!("table.copy_link_for"), &[("email", &invitation.email)]);
    let (id, email) = (invitation.id.clone(), invitation.email.clone());
    Some(view! {
        <button
            type="button"
            class="oi-link oi-copy-link"
            aria-label=label
            on:click=move |_| copies.copy(id.clone(), email.clone())
        >
            {t(key!("table.copy_link"))}
        </button>
        " "
    })
}

/// "History" for an address, where the console keeps an Activity view (admins).
fn history_button(email: &str) -> Option<impl IntoView + use<>> {
    let access = use_context::<Access>()?;
    let filter = use_context::<ActivityFilter>()?;
    let email = email.to_owned();
    let label = tf(key!("table.history_of"), &[("email", &email)]);
    Some(move || {
        access.may_read_activity().then(|| {
            let email = email.clone();
            view! {
                <button
                    type="button"
                    class="oi-link"
                    aria-label=label.clone()
                    on:click=move |_| filter.show_history_of(&email)
                >
                    {t(key!("table.history"))}
                </button>
                " "
            }
        })
    })
}

/// What the header row works on once the list has loaded.
#[derive(Clone, Copy)]
struct HeadControls {
    /// The sort to show and change.
    list_view: RwSignal<ListView>,
    /// Ids of the rows shown, for "select all".
    shown_ids: Signal<Vec<String>>,
    /// Ids of the rows ticked.
    selected: RwSignal<HashSet<String>>,
}

/// The header row; with controls, each header is a button that sorts by its column and a
/// checkbox selects every row shown.
#[component]
fn TableHead(
    /// `None` renders plain headers (while loading).
    controls: Option<HeadControls>,
) -> impl IntoView {
    let headers = SortColumn::ALL.map(|column| match controls {
        Some(HeadControls { list_view, .. }) => {
            let sorted = move || {
                list_view.with(|view| (view.sort.column == column).then_some(view.sort.direction))
            };
            let aria_sort = move || sorted().map(|direction| direction.aria()).unwrap_or("none");
            let mark = move || match sorted() {
                Some(SortDirection::Ascending) => "▲",
                Some(SortDirection::Descending) => "▼",
                None => "",
            };
            view! {
                <th role="columnheader" scope="col" aria-sort=aria_sort>
                    <button
                        type="button"
                        class="oi-sort"
                        on:click=move |_| {
                            list_view.update(|view| view.sort = view.sort.toggled(column))
                        }
                    >
                        {t(column.message_key())}
                        <span class="oi-sort-mark" aria-hidden="true">
                            {mark}
                        </span>
                    </button>
                </th>
            }
            .into_any()
        }
        None => view! { <th scope="col">{t(column.message_key())}</th> }.into_any(),
    });
    let select_all = controls.map(
        |HeadControls {
             shown_ids,
             selected,
             ..
         }| {
            let all_selected = move || {
                shown_ids.with(|ids| {
                    !ids.is_empty()
                        && selected.with(|selected| ids.iter().all(|id| selected.contains(id)))
                })
            };
            view! {
                <input
                    type="checkbox"
                    aria-label=t(key!("table.select_all"))
                    prop:checked=all_selected
                    on:change=move |event| {
                        let checked = event_target_checked(&event);
                        shown_ids
                            .with_untracked(|ids| {
                                selected
                                    .update(|selected| {
                                        for id in ids {
                                            if checked {
                                                selected.insert(id.clone());
                                            } else {
                                                selected.remove(id);
                                            }
                                        }
                                    })
                            });
                    }
                />
            }
        },
    );
    view! {
        <thead role="rowgroup">
            <tr role="row" aria-rowindex="1">
                <th role="columnheader" scope="col" class="oi-select">
                    {select_all}
                    <span class="oi-sr-only">{t(key!("table.select_header"))}</span>
                </th>
                {headers.into_iter().collect_view()}
                <th role="columnheader" scope="col" class="oi-actions">
                    <span class="oi-sr-only">{t(key!("table.actions"))}</span>
                </th>
            </tr>
        </thead>
    }
}

/// What the table looks like while the first load runs: the same frame, rows as placeholders,
/// so nothing jumps when the data arrives.
#[component]
pub fn TableSkeleton() -> impl IntoView {
    view! {
        <div class="oi-scroller" aria-hidden="true">
            <table class="oi-table">
                <TableHead controls=None />
                <tbody>
                    {(0..6)
                        .map(|_| {
                            view! {
                                <tr class="oi-skeleton">
                                    <td></td>
                                    <td>
                                        <span class="oi-bone"></span>
                                    </td>
                                    <td>
                                        <span class="oi-bone"></span>
                                    </td>
                                    <td>
                                        <span class="oi-bone"></span>
                                    </td>
                                    <td>
                                        <span class="oi-bone"></span>
                                    </td>
                                    <td></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Where the viewer is in the list: the row at the top of what they see, how far into it, and
/// the list that was then (how many rows, which view).
#[derive(Clone)]
struct Anchor {
    id: String,
    into: f64,
    count: usize,
    view: ListView,
}

/// How far into the list to render from. Usually where the viewer is; but when rows join the
/// list (later pages of the first load) and some sort before the row the viewer is looking
/// at, it is where that row went, and the page is scrolled there before the frame is painted:
/// the rows in view stay in view, and stay the same elements (focus in them stays put). A new
/// sort or search is a new view, and is not held.
fn keep_rows_in_view(
    rows: Signal<Rows>,
    positions: Memo<Vec<usize>>,
    list_view: RwSignal<ListView>,
    viewport: Viewport,
    row_height: ReadSignal<f64>,
) -> Memo<f64> {
    let anchor = StoredValue::new(None::<Anchor>);
    Effect::new(move |_| {
        let from = viewport.visible.get().from;
        let height = row_height.get_untracked();
        let index = (from / height) as usize;
        let id = rows.with_untracked(|rows| {
            positions.with_untracked(|positions| {
                positions
                    .get(index)
                    .map(|position| rows[*position].invitation.id.clone())
            })
        });
        // At the list's top the viewer sees its first rows, whichever they become.
        let taken = id.filter(|_| from > 0.0).map(|id| Anchor {
            id,
            into: from - index as f64 * height,
            count: rows.with_untracked(|rows| rows.len()),
            view: list_view.get_untracked(),
        });
        anchor.set_value(taken);
    });
    let from = Memo::new(move |_| {
        let seen = viewport.visible.get().from;
        let count = rows.with(|rows| rows.len());
        let height = row_height.get();
        positions.track();
        let moved_to = anchor.with_value(|anchor| {
            let anchor = anchor.as_ref()?;
            if count <= anchor.count || list_view.with(|view| *view != anchor.view) {
                return None;
            }
            let index = rows.with_untracked(|rows| {
                positions.with_untracked(|positions| {
                    positions
                        .iter()
                        .position(|position| rows[*position].invitation.id == anchor.id)
                })
            })?;
            Some(index as f64 * height + anchor.into)
        });
        moved_to.unwrap_or(seen)
    });
    Effect::new(move |_| {
        let wanted = from.get();
        if (wanted - viewport.visible.get_untracked().from).abs() < 1.0 {
            return;
        }
        // Once the new rows and spacers are in the DOM (a scroll before would stop at the
        // page's old end), and before that frame is painted, so nothing is seen to jump.
        request_animation_frame(move || {
            viewport.remeasure();
            let moved = from.get_untracked() - viewport.visible.get_untracked().from;
            if moved.abs() >= 1.0 {
                viewport.scroll_by(moved);
            }
        });
    });
    from
}

/// How tall the table's rows are: a rendered row's own height (a row height set lower than
/// its content is outgrown), else what the stylesheet sets.
fn row_height_of(body: &web_sys::Element) -> Option<f64> {
    let rendered = body
        .query_selector("tr.oi-row")
        .ok()
        .flatten()
        // Fractional: 10,000 rows each half a pixel off would misplace the last by 5,000.
        .map(|row| row.get_bounding_client_rect().height())
        .filter(|height| *height >= 16.0);
    rendered.or_else(|| css_row_height(body))
}

/// The row height the stylesheet sets (`--oi-row-height`, in px), if any.
fn css_row_height(element: &web_sys::Element) -> Option<f64> {
    let style = window().get_computed_style(element).ok().flatten()?;
    let value = style.get_property_value("--oi-row-height").ok()?;
    // The browser's own number parsing: Rust's would link kilobytes of float code.
    let height = js_sys::parse_float(value.trim().strip_suffix("px")?);
    (height >= 16.0).then_some(height)
}

/// A CSS length in whole pixels. Integer formatting: a float's would link kilobytes of code,
/// and a spacer a fraction of a pixel off shows nothing.
fn pixels(length: f64) -> String {
    format!("{}px", length.round() as u64)
}
