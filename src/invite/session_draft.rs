//! A text that survives an accidental reload: kept in the tab's session storage.

use std::time::Duration;

use leptos::prelude::*;

use crate::hooks::{Settle, use_settled};

/// Texts of 10,000 characters or more are saved once typing pauses (and when the page is
/// left), not on every keystroke: storing a large paste each time would stall typing.
const SAVE_SETTLE: Settle = Settle {
    large_from: 10_000,
    delay: Duration::from_millis(300),
};

/// The text under `key`, restored from session storage and saved back on every change.
/// Without storage (disabled by the browser), it still works, only without surviving reloads.
pub fn use_session_draft(key: String) -> RwSignal<String> {
    let storage = window().session_storage().ok().flatten();
    let initial = storage
        .as_ref()
        .and_then(|storage| storage.get_item(&key).ok().flatten())
        .unwrap_or_default();
    let draft = RwSignal::new(initial);
    let key = StoredValue::new(key);
    let save = move || {
        if let (Some(storage), Some(key), Some(text)) = (
            window().session_storage().ok().flatten(),
            key.try_get_value(),
            draft.try_get_untracked(),
        ) {
            let _ = if text.is_empty() {
                storage.remove_item(&key)
            } else {
                storage.set_item(&key, &text)
            };
        }
    };
    let settled = use_settled(draft, SAVE_SETTLE);
    Effect::new(move |_| {
        settled.track();
        save();
    });
    // A reload or a closed tab must not lose what the delay has not saved yet.
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| save());
    on_cleanup(move || {
        save();
        leaving.remove();
    });
    draft
}
