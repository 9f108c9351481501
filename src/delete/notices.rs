//! Notices for deletions: Undo while it is possible, progress while requests run, and what
//! happened at the end. Every step is also announced to screen readers.

use leptos::prelude::*;

use super::service::{DeletionEvent, Deletions, Stage};
use crate::progress::progress_bar;

#[component]
pub fn DeletionNotices() -> impl IntoView {
    let deletions = Deletions::expect();
    let announcement = move || {
        deletions
            .last_event
            .with(|event| event.as_ref().map(announce))
    };
    view! {
        <p class="oi-sr-only" role="status" aria-live="polite">
            {announcement}
        </p>
        <ul class="oi-notices">
            <For
                each=move || deletions.batches.get()
                // A notice is drawn again when its batch moves on.
                key=|batch| (batch.id, batch.stage.clone())
                children=move |batch| {
                    let id = batch.id;
                    let subject = batch.subject();
                    let target = batch.target();
                    let total = batch.invitations.len();
                    match batch.stage {
                        Stage::Waiting => {
                            // Every button names its batch: with two notices open, none share a name.
                            view! {
                                <li class="oi-notice-item">
                                    <span>{format!("{subject} deleted")}</span>
                                    " — "
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=format!("Undo deleting {target}")
                                        on:click=move |_| deletions.undo(id)
                                    >
                                        "Undo"
                                    </button>
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=format!("Delete now, {target}, without waiting")
                                        on:click=move |_| deletions.commit(id)
                                    >
                                        "Delete now"
                                    </button>
                                </li>
                            }
                                .into_any()
                        }
                        Stage::Running { done, waiting_for_server } => {
                            let text = if waiting_for_server {
                                format!(
                                    "Deleting… {done} of {total}. The server cannot be reached: the rest is kept and tried again until it answers; nothing is reported deleted before it confirms.",
                                )
                            } else {
                                format!("Deleting… {done} of {total}")
                            };
                            view! {
                                <li
                                    class="oi-notice-item"
                                    class:oi-notice-failed=waiting_for_server
                                >
                                    <span>{text}</span>
                                    {progress_bar(done, total, format!("Deleting {target}"))}
                                </li>
                            }
                                .into_any()
                        }
                        Stage::Finished(outcome) => {
                            view! {
                                <li
                                    class="oi-notice-item"
                                    class:oi-notice-failed={outcome.failed + outcome.unknown > 0}
                                >
                                    <span>{outcome.describe()}</span>
                                    " "
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=format!("Dismiss the notice about {target}")
                                        on:click=move |_| deletions.dismiss(id)
                                    >
                                        "Dismiss"
                                    </button>
                                </li>
                            }
                                .into_any()
                        }
                    }
                }
            />
        </ul>
    }
}

/// What screen readers are told after a step.
fn announce(event: &DeletionEvent) -> String {
    match event {
        DeletionEvent::Confirmed {
            subject,
            undo_window,
        } => format!(
            "{subject} deleted. Undo is available for {} seconds.",
            undo_window.as_secs()
        ),
        DeletionEvent::Undone { subject } => format!("Undone: {subject} restored."),
        DeletionEvent::WaitingForServer { target } => format!(
            "The server cannot be reached: deleting {target} is kept and will be tried again until it answers."
        ),
        DeletionEvent::Finished(outcome) => outcome.describe(),
    }
}
