//! What the input holds, live: counts, every problem address with a way to remove it, and
//! every spreadsheet cell set aside with a way to bring it back.

use std::ops::Range;

use leptos::prelude::*;
use org_invitations_core::email_input::{Reading, Tally};

/// Problem addresses (and ignored cells) listed under the input; the count covers the rest.
const PROBLEMS_SHOWN: usize = 50;
/// From this many ignored cells on, their list starts collapsed.
const IGNORED_OPEN_UP_TO: usize = 5;

#[component]
pub fn InvitePreview(
    reading: Memo<Reading>,
    tally: Memo<Tally>,
    /// Removes the text at a span from the input.
    remove: Callback<Range<usize>>,
    /// Moves an ignored cell at a span to a line of its own, to be checked as an address.
    bring_back: Callback<Range<usize>>,
) -> impl IntoView {
    let problems = move || {
        reading.with(|reading| {
            reading
                .candidates
                .iter()
                .filter_map(|candidate| {
                    candidate
                        .verdict
                        .problem()
                        .map(|problem| (candidate.clone(), problem))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="oi-preview" aria-live="polite">
            <Show when=move || reading.with(|reading| !reading.candidates.is_empty())>
                <p class="oi-tally">{move || tally.get().describe()}</p>
                <ul class="oi-problems">
                    {move || {
                        let problems = problems();
                        let hidden = problems.len().saturating_sub(PROBLEMS_SHOWN);
                        let shown = problems
                            .into_iter()
                            .take(PROBLEMS_SHOWN)
                            .map(|(candidate, problem)| {
                                let label = format!("Remove {}", candidate.address);
                                let span = candidate.span.clone();
                                view! {
                                    <li class="oi-problem">
                                        <span class="oi-problem-address">
                                            {candidate.address.clone()}
                                        </span>
                                        " — "
                                        <span>{problem}</span>
                                        " "
                                        <button
                                            type="button"
                                            class="oi-link"
                                            aria-label=label
                                            on:click=move |_| remove.run(span.clone())
                                        >
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            {shown}
                            {(hidden > 0)
                                .then(|| {
                                    view! {
                                        <li class="oi-problem">
                                            {format!("…and {hidden} more")}
                                        </li>
                                    }
                                })}
                        }
                    }}
                </ul>
            </Show>
            {move || {
                let ignored = reading.with(|reading| reading.ignored.clone());
                (!ignored.is_empty()).then(|| ignored_cells(ignored, bring_back))
            }}
        </div>
    }
}

/// "2 cells ignored (not addresses)", then each cell with "Check as an address".
fn ignored_cells(
    cells: Vec<org_invitations_core::email_input::IgnoredCell>,
    bring_back: Callback<Range<usize>>,
) -> impl IntoView {
    let count = cells.len();
    let hidden = count.saturating_sub(PROBLEMS_SHOWN);
    let items = cells
        .into_iter()
        .take(PROBLEMS_SHOWN)
        .map(|cell| {
            let label = format!("Check as an address: {}", cell.text);
            let span = cell.span;
            view! {
                <li class="oi-ignored-cell">
                    <span class="oi-problem-address">{cell.text}</span>
                    " "
                    <button
                        type="button"
                        class="oi-link"
                        aria-label=label
                        on:click=move |_| bring_back.run(span.clone())
                    >
                        "Check as an address"
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="oi-ignored" open=count <= IGNORED_OPEN_UP_TO>
            <summary>
                {format!(
                    "{count} {} ignored (not addresses)",
                    if count == 1 { "cell" } else { "cells" },
                )}
            </summary>
            <ul class="oi-problems">
                {items}
                {(hidden > 0)
                    .then(|| {
                        view! { <li class="oi-ignored-cell">{format!("…and {hidden} more")}</li> }
                    })}
            </ul>
        </details>
    }
}
