//! Small pieces more than one view shows the same way: a notice that something went wrong, and
//! a search field.
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

/// When a search field tells what was typed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Searching {
    /// At every keystroke (the list, filtered in the browser).
    AsTyped,
    /// When the field is left or Enter is pressed (a filter that asks the server).
    OnChange,
}

/// A labelled search field showing `value`, telling `typed` what was typed as `searching` says.
pub fn search_field(
    label: String,
    value: impl Fn() -> String + Send + Sync + 'static,
    searching: Searching,
    typed: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let tell = move |wanted: Searching| {
        move |event: leptos::ev::Event| {
            if searching == wanted {
                typed(event_target_value(&event));
            }
        }
    };
    view! {
        <label class="oi-search">
            <span>{label}</span>
            <input
                type="search"
                autocomplete="off"
                spellcheck="false"
                prop:value=value
                on:input=tell(Searching::AsTyped)
                on:change=tell(Searching::OnChange)
            />
        </label>
    }
}
