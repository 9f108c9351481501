//! The invitation table: the Anyscale CLI's four columns, sortable headers, status in words,
//! and only the rows that can be seen in the DOM, so 10,000 invitations stay fast.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use org_invitations_core::datetime::format_utc_exact;
use org_invitations_core::listing::{ListView, SortColumn, SortDirection};
use org_invitations_core::rows::{Rows, rendered_window};
use org_invitations_core::status::{Status, relative_phrase};

use crate::activity::ActivityFilter;
use crate::delete::Deletions;
use crate::resend::Resends;
use crate::session::access::Access;
use crate::time_zone::TimeZoneChoice;

/// Columns: selection, the CLI's four, actions.
const COLUMNS: &str = "6";

/// `.oi-row`'s height when the stylesheet says nothing else. The stylesheet's own value
/// (`--oi-row-height`, which hosts set through `--org-invitations-row-height`) is read when
/// the table is measured: the window of rendered rows is computed from it.
pub const ROW_HEIGHT_PX: f64 = 40.0;
/// Rows rendered beyond each edge of the viewport, so fast scrolling shows no gap.
const OVERSCAN: usize = 10;
/// The height assumed before the scroller has been measured.
const INITIAL_VIEWPORT_PX: f64 = 800.0;

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
    let (scroll_top, set_scroll_top) = signal(0.0);
    let (viewport, set_viewport) = signal(INITIAL_VIEWPORT_PX);
    let (row_height, set_row_height) = signal(ROW_HEIGHT_PX);
    let measure = move || {
        if let Some(element) = scroller.get_untracked() {
            set_scroll_top.set(f64::from(element.scroll_top()));
            if let Some(height) = css_row_height(&element) {
                set_row_height.set(height);
            }
            // The scroller is capped by CSS; should that cap be missing, the window's height
            // still bounds what can be seen.
            let window_height = window()
                .inner_height()
                .ok()
                .and_then(|height| height.as_f64())
                .unwrap_or(INITIAL_VIEWPORT_PX);
            let height = f64::from(element.client_height()).min(window_height);
            if height > 0.0 {
                set_viewport.set(height);
            }
        }
    };
    Effect::new(move |_| {
        scroller.track();
        measure();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    // After a row is deleted, focus moves to the Delete button of the row now in its place;
    // when the dialog is cancelled instead, the dialog gives focus back to the button itself.
    let deletions = Deletions::expect();
    // The display index and id of the row whose Delete button opened the dialog.
    let return_focus = RwSignal::new(None::<(usize, String)>);
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
            scroll_top.get(),
            viewport.get(),
            row_height.get(),
            OVERSCAN,
            total,
        );
        (rendered.start, rendered.end, total)
    });
    let spacer_above = move || pixels(window.get().0 as f64 * row_height.get());
    let spacer_below = move || {
        let (_, end, total) = window.get();
        pixels((total - end) as f64 * row_height.get())
    };
    // Each rendered row: its display index and its position in `rows`.
    let shown = move || {
        let (first, end, _) = window.get();
        positions.with(|positions| {
            positions[first..end]
                .iter()
                .enumerate()
                .map(|(offset, position)| (first + offset, *position))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="oi-scroller" node_ref=scroller on:scroll=move |_| measure()>
            <table role="table" class="oi-table" aria-rowcount=move || window.get().2 + 1>
                <TableHead controls=Some(HeadControls {
                    list_view,
                    shown_ids,
                    selected,
                }) />
                <tbody role="rowgroup">
                    <tr class="oi-spacer" aria-hidden="true">
                        <td colspan=COLUMNS style:height=spacer_above></td>
                    </tr>
                    <For
                        each=shown
                        key=move |(index, position)| (
                            *index,
                            rows.with_untracked(|rows| rows[*position].invitation.id.clone()),
                        )
                        children=move |(index, position)| {
                            let invitation = rows
                                .with_untracked(|rows| rows[position].invitation.clone());
                            view! {
                                <InvitationRow invitation index selected return_focus zone now />
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
    index: usize,
    /// Ids of the rows ticked for a bulk deletion.
    selected: RwSignal<HashSet<String>>,
    /// Set when this row's Delete button opens the dialog.
    return_focus: RwSignal<Option<(usize, String)>>,
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
            aria-rowindex=index + 2
        >
            <td role="cell" class="oi-select">
                <input
                    type="checkbox"
                    aria-label=format!("Select invitation for {}", invitation.email)
                    prop:checked=is_selected
                    on:change=move |event| toggle(event_target_checked(&event))
                />
            </td>
            <td role="cell" class="oi-id" title=invitation.id.clone()>
                {invitation.id.clone()}
            </td>
            <td role="cell" class="oi-email" title=invitation.email.clone()>
                {invitation.email.clone()}
            </td>
            <td role="cell" class="oi-date oi-created" title=format_utc_exact(created_at)>
                {move || zone.get().format(created_at)}
            </td>
            <td role="cell" class="oi-date oi-expires" title=format_utc_exact(expires_at)>
                <span>{move || zone.get().format(expires_at)}</span>
                " "
                <span class="oi-relative">
                    {move || format!("({})", relative_phrase(expires_at, now.get()))}
                </span>
                " "
                <span class="oi-badge">{move || status.get().label()}</span>
            </td>
            <td role="cell" class="oi-actions">
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
                                    aria-label=format!(
                                        "Retry deleting the invitation for {}",
                                        retry.email,
                                    )
                                    on:click=move |_| deletions.retry(retry.clone())
                                >
                                    "Retry"
                                </button>
                                " "
                            }
                        })
                }}
                {history_button(&invitation.email)}
                {resend_button(&invitation)}
                <button
                    type="button"
                    class="oi-button oi-delete"
                    data-index=index.to_string()
                    aria-label=format!("Delete invitation for {}", invitation.email)
                    on:click=move |_| {
                        return_focus.set(Some((index, for_delete.id.clone())));
                        deletions.ask(vec![for_delete.clone()]);
                    }
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

/// "Resend" (a fresh invitation, new id, full lifetime), where the console resends.
fn resend_button(
    invitation: &org_invitations_core::OrganizationInvitation,
) -> Option<impl IntoView + use<>> {
    let resends = use_context::<Resends>()?;
    let label = format!("Resend invitation for {}", invitation.email);
    let invitation = invitation.clone();
    Some(view! {
        <button
            type="button"
            class="oi-link"
            aria-label=label
            disabled=move || resends.progress.get().is_some()
            on:click=move |_| resends.resend(vec![invitation.clone()])
        >
            "Resend"
        </button>
        " "
    })
}

/// "History" for an address, where the console keeps an Activity view (admins).
fn history_button(email: &str) -> Option<impl IntoView + use<>> {
    let access = use_context::<Access>()?;
    let filter = use_context::<ActivityFilter>()?;
    let email = email.to_owned();
    let label = format!("History of {email}");
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
                    "History"
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
                        {column.label()}
                        <span class="oi-sort-mark" aria-hidden="true">
                            {mark}
                        </span>
                    </button>
                </th>
            }
            .into_any()
        }
        None => view! { <th scope="col">{column.label()}</th> }.into_any(),
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
                    aria-label="Select all shown invitations"
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
                    <span class="oi-sr-only">"Select"</span>
                </th>
                {headers.into_iter().collect_view()}
                <th role="columnheader" scope="col" class="oi-actions">
                    <span class="oi-sr-only">"Actions"</span>
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

/// The row height the stylesheet sets (`--oi-row-height`, in px), if any.
fn css_row_height(element: &web_sys::HtmlElement) -> Option<f64> {
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
