//! After sending: one line per address, as the Anyscale CLI reports "sent to:" and each error.

use leptos::prelude::*;

use org_invitations_core::invite_outcome::Outcome;

use super::sender::SendReport;

#[component]
pub fn InviteResults(
    /// What happened to every address.
    report: SendReport,
    /// Sends what is left in the input again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let sent = report.sent().count();
    let unknown = report.unknown().count();
    let not_sent = report.failed().count() + report.skipped().count();
    let mut others = Vec::new();
    if not_sent > 0 {
        others.push(format!("{not_sent} not sent"));
    }
    if unknown > 0 {
        others.push(format!(
            "{unknown} unknown (the server's answer was lost: check the list)"
        ));
    }
    let others = others.join("; ");
    let headline = match sent {
        _ if others.is_empty() => format!(
            "Invitations sent to {sent} {}.",
            if sent == 1 { "address" } else { "addresses" }
        ),
        0 if unknown == 0 => format!("No invitations sent: {others}."),
        0 => format!("No invitation confirmed: {others}."),
        sent => format!("Invitations sent to {sent}; {others}."),
    };
    let stopped = report.stopped_by.as_ref().map(|error| {
        let lost = if unknown > 0 {
            " Those marked unknown may have been invited: the list shows which were. Sending them again is safe: an address already invited is refused, never invited twice."
        } else {
            ""
        };
        format!("Sending stopped: {error} The addresses not sent are still in the input.{lost}")
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
                Outcome::Sent => ("oi-result-sent", "Sent".to_owned()),
                Outcome::Refused(detail) => ("oi-result-failed", format!("Failed: {detail}")),
                Outcome::NotSent => ("oi-result-failed", "Not sent".to_owned()),
                Outcome::Unknown => ("oi-result-failed", "Unknown: check the list".to_owned()),
                Outcome::Skipped(reason) => ("oi-result-failed", format!("Not sent: {reason}")),
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
                <p class="oi-help">
                    "Addresses not sent stay in the input: correct them and send again."
                </p>
                <button type="button" class="oi-button" on:click=move |_| on_retry.run(())>
                    "Retry failed"
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
                    "Copy failed"
                </button>
            </Show>
        </div>
    }
}
