//! The one progress bar every long task shows (loading, sending, resending, deleting), with
//! the accessible name that says which task it is.

use leptos::prelude::*;

/// `done` of `total`, named `label` for assistive technology.
pub fn progress_bar(done: usize, total: usize, label: String) -> impl IntoView {
    view! {
        <progress
            class="oi-progress"
            max=total.to_string()
            value=done.to_string()
            aria-label=label
        ></progress>
    }
}
