//! The confirmation before deleting: a modal dialog (focus stays inside, Escape cancels)
//! naming every address it will delete.

use crate::i18n::words::{key, t, tf, tn};
use leptos::prelude::*;

use super::service::Deletions;

/// Addresses listed in a bulk confirmation; the count covers the rest.
const LISTED: usize = 100;

#[component]
pub fn ConfirmDeleteDialog() -> impl IntoView {
    let deletions = Deletions::expect();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // The native modal dialog traps focus and closes on Escape; the signal decides when it shows.
    Effect::new(move |_| {
        let asking = deletions.confirming.with(Option::is_some);
        if let Some(dialog) = dialog.get() {
            if asking && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !asking && dialog.open() {
                dialog.close();
            }
        }
    });
    let title = move || {
        deletions.confirming.with(|asking| match asking.as_deref() {
            Some([one]) => tf(key!("dialog.title.one"), &[("email", &one.email)]),
            Some(many) => tn(key!("dialog.title.many"), many.len()),
            None => String::new(),
        })
    };
    let listed = move || {
        deletions.confirming.with(|asking| {
            let all = asking.as_deref().unwrap_or_default();
            if all.len() < 2 {
                return None;
            }
            let hidden = all.len().saturating_sub(LISTED);
            Some(view! {
                <ul class="oi-dialog-list">
                    {all
                        .iter()
                        .take(LISTED)
                        .map(|invitation| view! { <li>{invitation.email.clone()}</li> })
                        .collect_view()}
                    {(hidden > 0)
                        .then(|| {
                            view! {
                                <li>
                                    {tf(key!("dialog.more"), &[("count", &hidden.to_string())])}
                                </li>
                            }
                        })}
                </ul>
            })
        })
    };

    view! {
        <dialog
            class="oi-dialog"
            node_ref=dialog
            aria-labelledby="oi-dialog-title"
            aria-describedby="oi-dialog-detail"
            on:cancel=move |_: web_sys::Event| deletions.cancel()
            on:close=move |_: web_sys::Event| {
                if dialog.get_untracked().is_some_and(|dialog| !dialog.open()) {
                    deletions.cancel();
                }
            }
        >
            <h2 class="oi-subtitle" id="oi-dialog-title">
                {title}
            </h2>
            <p id="oi-dialog-detail">{t(key!("dialog.detail"))}</p>
            {listed}
            <div class="oi-dialog-actions">
                <button type="button" class="oi-button" on:click=move |_| deletions.cancel()>
                    {t(key!("dialog.cancel"))}
                </button>
                <button
                    type="button"
                    class="oi-button oi-danger"
                    on:click=move |_| deletions.confirm()
                >
                    {t(key!("dialog.delete"))}
                </button>
            </div>
        </dialog>
    }
}
