use std::time::Duration;

use leptos::prelude::*;

/// When [`use_settled`] follows its source at once, and how long it waits otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// Texts at least this long are followed only once changes pause.
    pub large_from: usize,
    /// How long changes must pause.
    pub delay: Duration,
}

/// A text that follows `source` at once while it is short, and once typing pauses for
/// `settle.delay` while it is large: work keyed on it (parsing a paste, saving a draft) then
/// runs once per pause instead of once per keystroke. Like leptos-use's `signal_debounced`,
/// but only for large texts, so small ones stay instant.
///
/// ```ignore
/// let settled = use_settled(draft, Settle { large_from: 10_000, delay: Duration::from_millis(150) });
/// let preview = Memo::new(move |_| settled.with(|text| parse(text)));
/// ```
pub fn use_settled(source: impl Into<Signal<String>>, settle: Settle) -> Signal<String> {
    let source = source.into();
    let settled = RwSignal::new(source.get_untracked());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(pending) = timer.try_get_value().flatten() {
            pending.clear();
        }
    };
    Effect::new(move |_| {
        let text = source.get();
        cancel();
        if text.len() < settle.large_from {
            settled.set(text);
        } else {
            timer.set_value(set_timeout_with_handle(move || settled.set(text), settle.delay).ok());
        }
    });
    on_cleanup(cancel);
    settled.into()
}
