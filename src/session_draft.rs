//! A text that survives an accidental reload: kept in the tab's session storage.

use leptos::prelude::*;

/// The text under `key`, restored from session storage and saved back on every change.
/// Without storage (disabled by the browser), it still works, only without surviving reloads.
pub fn use_session_draft(key: String) -> RwSignal<String> {
    let storage = window().session_storage().ok().flatten();
    let initial = storage.as_ref().and_then(|storage| storage.get_item(&key).ok().flatten()).unwrap_or_default();
    let draft = RwSignal::new(initial);
    Effect::new(move |_| {
        let text = draft.get();
        if let Some(storage) = window().session_storage().ok().flatten() {
            let _ = if text.is_empty() { storage.remove_item(&key) } else { storage.set_item(&key, &text) };
        }
    });
    draft
}
