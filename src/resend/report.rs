//! What the resends did, address by address, with a way to invite again where a gateway's
//! second step failed.

use leptos::prelude::*;
use org_invitations_core::resend::{ResendOutcome, headline};

use super::Resends;
use crate::progress::progress_bar;

/// Progress while resending, then what happened to every address.
#[component]
pub fn ResendReport() -> impl IntoView {
    let resends = expect_context::<Resends>();
    let lines = move || {
        resends.report.get().map(|lines| {
            let headline = headline(
                &lines
                    .iter()
                    .map(|line| line.outcome.clone())
                    .collect::<Vec<_>>(),
            );
            let items = lines
                .into_iter()
                .map(|line| {
                    let again = matches!(line.outcome, ResendOutcome::RevokedOnly(_)).then(|| {
                        let email = line.email.clone();
                        view! {
                            " "
                            <button
                                type="button"
                                class="oi-link"
                                on:click=move |_| resends.invite_again(email.clone())
                            >
                                {format!("Invite {} again", line.email)}
                            </button>
                        }
                    });
                    view! {
                        <li>
                            <span class="oi-result-address">{line.email.clone()}</span>
                            " — "
                            <span>{line.outcome.describe()}</span>
                            {again}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="oi-results oi-resend-report">
                    <p class="oi-results-headline">{headline}</p>
                    <ul class="oi-result-lines">{items}</ul>
                    <button
                        type="button"
                        class="oi-button"
                        on:click=move |_| resends.report.set(None)
                    >
                        "Dismiss the resend report"
                    </button>
                </div>
            }
        })
    };
    view! {
        <div role="status">
            {move || {
                resends
                    .progress
                    .get()
                    .map(|(done, total)| {
                        view! {
                            <div class="oi-status">
                                <span>{format!("Resending invitations… {done} of {total}")}</span>
                                {progress_bar(done, total, "Invitations resent".into())}
                            </div>
                        }
                    })
            }} {lines}
        </div>
    }
}
