//! What the input holds, live: counts, and every problem address with a way to remove it.

use leptos::prelude::*;
use org_invitations_core::email_input::{Candidate, Tally};

/// Problem addresses listed under the input; the count covers the rest.
const PROBLEMS_SHOWN: usize = 50;

#[component]
pub fn InvitePreview(
    candidates: Memo<Vec<Candidate>>,
    tally: Memo<Tally>,
    /// Removes the text at a span from the input.
    remove: Callback<std::ops::Range<usize>>,
) -> impl IntoView {
    let problems = move || {
        candidates.with(|candidates| {
            candidates
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
            <Show when=move || candidates.with(|candidates| !candidates.is_empty())>
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
        </div>
    }
}
