//! A text that survives an accidental reload: kept in the tab's session storage.

use std::time::Duration;

use leptos::prelude::*;

/// Texts longer than this are saved once typing pauses (and when the page is left), not on
/// every keystroke: storing a large paste each time would stall typing.
const LARGE_DRAFT: usize = 10_000;
const SAVE_DELAY: Duration = Duration::from_millis(300);

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
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let cancel_timer = move || {
        if let Some(pending) = timer.try_get_value().flatten() {
            pending.clear();
        }
    };
    Effect::new(move |_| {
        let large = draft.with(|text| text.len() >= LARGE_DRAFT);
        cancel_timer();
        if large {
            timer.set_value(set_timeout_with_handle(save, SAVE_DELAY).ok());
        } else {
            save();
        }
    });
    // A reload or a closed tab must not lose what the delay has not saved yet.
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| save());
    on_cleanup(move || {
        cancel_timer();
        save();
        leaving.remove();
    });
    draft
}
