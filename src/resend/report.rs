//! What the resends did, address by address, with a way to invite again where a gateway's
//! second step failed.

use leptos::prelude::*;
use org_invitations_core::resend::ResendOutcome;

use super::Resends;
use crate::i18n::words::{key, listed, t, tf, tn, tnv};
use crate::progress::progress_bar;

/// Progress while resending, then what happened to every address.
#[component]
pub fn ResendReport() -> impl IntoView {
    let resends = expect_context::<Resends>();
    let lines = move || {
        resends.report.get().map(|lines| {
            let headline = headline_in_words(
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
                                {tf(key!("resend.invite_again"), &[("email", &line.email)])}
                            </button>
                        }
                    });
                    view! {
                        <li>
                            <span class="oi-result-address">{line.email.clone()}</span>
                            " — "
                            <span>{outcome_in_words(&line.outcome)}</span>
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
                        {t(key!("resend.dismiss"))}
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
                                <span>
                                    {tf(
                                        key!("resend.progress"),
                                        &[
                                            ("done", &done.to_string()),
                                            ("total", &total.to_string()),
                                        ],
                                    )}
                                </span>
                                {progress_bar(done, total, t(key!("resend.progress.bar")))}
                            </div>
                        }
                    })
            }} {lines}
        </div>
    }
}

/// One address's ending, in the console's words.
fn outcome_in_words(outcome: &ResendOutcome) -> String {
    match outcome {
        ResendOutcome::Resent => t(key!("resend.resent")),
        ResendOutcome::NotResent(why) => tf(key!("resend.not_resent"), &[("why", why)]),
        ResendOutcome::RevokedOnly(why) => tf(key!("resend.revoked_only"), &[("why", why)]),
    }
}

/// "Resent 3 invitations." or "Resent 1 of 3 invitations, 1 not resent, and 1 revoked
/// without a new one." (the parts listed as the language lists them)
fn headline_in_words(outcomes: &[ResendOutcome]) -> String {
    let count = |wanted: fn(&ResendOutcome) -> bool| outcomes.iter().filter(|o| wanted(o)).count();
    let resent = count(|outcome| *outcome == ResendOutcome::Resent);
    let not_resent = count(|outcome| matches!(outcome, ResendOutcome::NotResent(_)));
    let revoked_only = count(|outcome| matches!(outcome, ResendOutcome::RevokedOnly(_)));
    if resent == outcomes.len() {
        return tn(key!("resend.headline.all"), resent);
    }
    let mut parts = vec![tnv(
        key!("resend.headline.some"),
        outcomes.len(),
        &[("resent", &resent.to_string())],
    )];
    if not_resent > 0 {
        parts.push(tn(key!("resend.headline.not_resent"), not_resent));
    }
    if revoked_only > 0 {
        parts.push(tn(key!("resend.headline.revoked_only"), revoked_only));
    }
    tf(key!("notice.outcome"), &[("parts", &listed(&parts))])
}
