//! Signing out: ends the browser's session on the server, so the cookie is worthless even if
//! it was copied, and says what happened.

use crate::i18n::words::{key, t, tf};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};
use crate::widgets::notice;

#[component]
pub fn SignOut(
    /// Set once the server has ended the session.
    signed_out: RwSignal<bool>,
) -> impl IntoView {
    let client = StoredValue::new(expect_context::<ApiClient>());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let sign_out = move |_| {
        busy.set(true);
        failure.set(None);
        let client = client.get_value();
        spawn_local(async move {
            match client.sign_out().await {
                // Already signed out (the session expired): the outcome is the same.
                Ok(()) | Err(ApiError::SignedOut) => {
                    signed_out.try_set(true);
                }
                Err(error) => {
                    failure.try_set(Some(error));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="oi-sign-out">
            <button
                type="button"
                class="oi-button"
                on:click=sign_out
                disabled=move || busy.get() || signed_out.get()
            >
                {t(key!("app.sign_out"))}
            </button>
            {notice(move || {
                failure
                    .get()
                    .map(|error| tf(key!("app.sign_out_failed"), &[("error", &error.in_words())]))
            })}
        </div>
    }
}
