//! Small pieces more than one view shows the same way: a notice that something went wrong.
//! Plain functions rather than components: a component's props (signals, callbacks) cost the
//! console 1.5 KiB brotli here, these nothing.

use leptos::prelude::*;

/// A sentence saying what went wrong, announced as it appears; nothing while `text` is `None`.
pub fn notice(text: impl Fn() -> Option<String> + Send + Sync + 'static) -> impl IntoView {
    move || {
        text().map(|text| {
            view! {
                <p class="oi-notice" role="alert">
                    {text}
                </p>
            }
        })
    }
}
