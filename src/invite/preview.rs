//! What the input holds, live: counts, every problem address with a way to remove it, and
//! every spreadsheet cell set aside with a way to bring it back.

use std::ops::Range;

use leptos::prelude::*;
use org_invitations_core::email_input::{Reading, Tally, Verdict};

use crate::i18n::words::{key, t, tf, tn};

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
                    problem_in_words(&candidate.verdict).map(|problem| (candidate.clone(), problem))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="oi-preview" aria-live="polite">
            <Show when=move || reading.with(|reading| !reading.candidates.is_empty())>
                <p class="oi-tally">{move || tally_in_words(tally.get())}</p>
                <ul class="oi-problems">
                    {move || {
                        let problems = problems();
                        let hidden = problems.len().saturating_sub(PROBLEMS_SHOWN);
                        let shown = problems
                            .into_iter()
                            .take(PROBLEMS_SHOWN)
                            .map(|(candidate, problem)| {
                                let label = tf(
                                    key!("preview.remove_for"),
                                    &[("address", &candidate.address)],
                                );
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
                                            {t(key!("preview.remove"))}
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
                                            {tf(key!("dialog.more"), &[("count", &hidden.to_string())])}
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
            let label = tf(key!("preview.check_for"), &[("cell", &cell.text)]);
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
                        {t(key!("preview.check"))}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="oi-ignored" open=count <= IGNORED_OPEN_UP_TO>
            <summary>{tn(key!("preview.ignored"), count)}</summary>
            <ul class="oi-problems">
                {items}
                {(hidden > 0)
                    .then(|| {
                        view! {
                            <li class="oi-ignored-cell">
                                {tf(key!("dialog.more"), &[("count", &hidden.to_string())])}
                            </li>
                        }
                    })}
            </ul>
        </details>
    }
}

/// "12 valid · 2 invalid · 1 duplicate · 3 already invited", leaving out zero problems.
fn tally_in_words(tally: Tally) -> String {
    let mut parts = vec![tn(key!("preview.valid"), tally.valid)];
    for (key, count) in [
        (key!("preview.invalid"), tally.invalid),
        (key!("preview.duplicate"), tally.duplicate),
        (key!("preview.already_invited"), tally.already_invited),
    ] {
        if count > 0 {
            parts.push(tn(key, count));
        }
    }
    parts.join(" · ")
}

/// Why an address will not be sent, in the console's words; `None` when it will be.
pub fn problem_in_words(verdict: &Verdict) -> Option<String> {
    match verdict {
        Verdict::Valid => None,
        Verdict::Invalid(error) => {
            let (key, values) = error.message();
            let values: Vec<(&str, &str)> = values
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            Some(tf(key, &values))
        }
        Verdict::Duplicate => Some(t(key!("problem.duplicate"))),
        Verdict::AlreadyInvited => Some(t(key!("problem.already_invited"))),
    }
}
