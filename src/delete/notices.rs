//! Notices for deletions: Undo while it is possible, progress while requests run, and what
//! happened at the end. Every step is also announced to screen readers.

use leptos::prelude::*;

use super::service::{DeletionEvent, Deletions, Stage};
use crate::i18n::words::{key, listed, t, tf, tn};
use crate::progress::progress_bar;
use org_invitations_core::deletion::Outcome;

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
                                    <span>
                                        {tf(key!("notice.deleted"), &[("subject", &subject)])}
                                    </span>
                                    " — "
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=tf(
                                            key!("notice.undo_for"),
                                            &[("target", &target)],
                                        )
                                        on:click=move |_| deletions.undo(id)
                                    >
                                        {t(key!("notice.undo"))}
                                    </button>
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=tf(
                                            key!("notice.delete_now_for"),
                                            &[("target", &target)],
                                        )
                                        on:click=move |_| deletions.commit(id)
                                    >
                                        {t(key!("notice.delete_now"))}
                                    </button>
                                </li>
                            }
                                .into_any()
                        }
                        Stage::Running { done, waiting_for_server } => {
                            let values = [("done", done.to_string()), ("total", total.to_string())];
                            let values = [
                                ("done", values[0].1.as_str()),
                                ("total", values[1].1.as_str()),
                            ];
                            let text = if waiting_for_server {
                                tf(key!("notice.deleting.waiting"), &values)
                            } else {
                                tf(key!("notice.deleting"), &values)
                            };
                            view! {
                                <li
                                    class="oi-notice-item"
                                    class:oi-notice-failed=waiting_for_server
                                >
                                    <span>{text}</span>
                                    {progress_bar(
                                        done,
                                        total,
                                        tf(key!("notice.deleting.bar"), &[("target", &target)]),
                                    )}
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
                                    <span>{outcome_in_words(outcome)}</span>
                                    " "
                                    <button
                                        type="button"
                                        class="oi-link"
                                        aria-label=tf(
                                            key!("notice.dismiss_for"),
                                            &[("target", &target)],
                                        )
                                        on:click=move |_| deletions.dismiss(id)
                                    >
                                        {t(key!("notice.dismiss"))}
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
        } => tf(
            key!("notice.announce.deleted"),
            &[
                ("subject", subject),
                ("seconds", &undo_window.as_secs().to_string()),
            ],
        ),
        DeletionEvent::Undone { subject } => {
            tf(key!("notice.announce.undone"), &[("subject", subject)])
        }
        DeletionEvent::WaitingForServer { target } => {
            tf(key!("notice.announce.waiting"), &[("target", target)])
        }
        DeletionEvent::Finished(outcome) => outcome_in_words(*outcome),
    }
}

/// The sentence for a finished batch, its parts listed as the language lists them: "2 deleted
/// and 1 could not be deleted and is back in the list."
fn outcome_in_words(outcome: Outcome) -> String {
    let parts: Vec<String> = [
        (key!("notice.outcome.deleted"), outcome.deleted),
        (key!("notice.outcome.already_gone"), outcome.already_gone),
        (key!("notice.outcome.failed"), outcome.failed),
        (key!("notice.outcome.unknown"), outcome.unknown),
    ]
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .map(|(key, count)| tn(key, count))
    .collect();
    if parts.is_empty() {
        return String::new();
    }
    tf(key!("notice.outcome"), &[("parts", &listed(&parts))])
}
