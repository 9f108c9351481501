//! After sending: one line per address, as the Anyscale CLI reports "sent to:" and each error;
//! "queued" instead where this project's server sends the mail (the list shows each mail as
//! it goes), so the console never says "sent" before a mail server took it.

use leptos::prelude::*;

use org_invitations_core::invite_outcome::Outcome;

use super::sender::SendReport;
use crate::i18n::words::{key, listed, t, tf, tn};

#[component]
pub fn InviteResults(
    /// What happened to every address.
    report: SendReport,
    /// Whether the invitations' mail waits to be sent by the server (else the server says
    /// nothing of it).
    queued: bool,
    /// Sends what is left in the input again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let sent = report.sent().count();
    let unknown = report.unknown().count();
    let not_sent = report.failed().count() + report.skipped().count();
    let mut others = Vec::new();
    if not_sent > 0 {
        others.push(tn(key!("results.not_sent"), not_sent));
    }
    if unknown > 0 {
        others.push(tn(key!("results.unknown"), unknown));
    }
    let others = if others.is_empty() {
        String::new()
    } else {
        listed(&others)
    };
    let count = sent.to_string();
    let (all, some) = if queued {
        (key!("results.all_queued"), key!("results.some_queued"))
    } else {
        (key!("results.all_sent"), key!("results.some_sent"))
    };
    let headline = match sent {
        _ if others.is_empty() => tn(all, sent),
        0 if unknown == 0 => tf(key!("results.none_sent"), &[("others", &others)]),
        0 => tf(key!("results.none_confirmed"), &[("others", &others)]),
        _ => tf(some, &[("count", &count), ("others", &others)]),
    };
    let invited = t(if queued {
        key!("results.queued")
    } else {
        key!("results.sent")
    });
    let stopped = report.stopped_by.as_ref().map(|error| {
        let stopped = tf(key!("results.stopped"), &[("error", &error.in_words())]);
        if unknown > 0 {
            format!("{stopped} {}", t(key!("results.stopped.unknown")))
        } else {
            stopped
        }
    });
    let copy_failed = report
        .outcomes
        .iter()
        .filter(|(_, outcome)| *outcome != Outcome::Sent)
        .map(|(address, _)| address.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let lines = report
        .outcomes
        .iter()
        .map(|(address, outcome)| {
            let (class, text) = match outcome {
                Outcome::Sent => ("oi-result-sent", invited.clone()),
                Outcome::Refused(detail) => (
                    "oi-result-failed",
                    tf(key!("results.failed"), &[("detail", detail)]),
                ),
                Outcome::NotSent => ("oi-result-failed", t(key!("results.line.not_sent"))),
                Outcome::Unknown => ("oi-result-failed", t(key!("results.line.unknown"))),
                Outcome::Skipped(verdict) => {
                    let reason = super::preview::problem_in_words(verdict).unwrap_or_default();
                    (
                        "oi-result-failed",
                        tf(key!("results.skipped"), &[("reason", &reason)]),
                    )
                }
            };
            view! {
                <li class=class>
                    <span class="oi-result-address">{address.clone()}</span>
                    " — "
                    <span>{text}</span>
                </li>
            }
        })
        .collect_view();
    let has_failures = not_sent + unknown > 0;
    view! {
        <div class="oi-results" role="status">
            <p class="oi-results-headline">{headline}</p>
            {stopped.map(|text| view! { <p class="oi-notice">{text}</p> })}
            <ul class="oi-result-lines">{lines}</ul>
            <Show when=move || has_failures>
                <p class="oi-help">{t(key!("results.help"))}</p>
                <button type="button" class="oi-button" on:click=move |_| on_retry.run(())>
                    {t(key!("results.retry"))}
                </button>
                <button
                    type="button"
                    class="oi-button"
                    on:click={
                        let copy_failed = copy_failed.clone();
                        move |_| {
                            let _ = window().navigator().clipboard().write_text(&copy_failed);
                        }
                    }
                >
                    {t(key!("results.copy"))}
                </button>
            </Show>
        </div>
    }
}
