use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// The current instant, moved on every `tick` for as long as the calling owner lives.
/// Writable, so a load that just finished can set it and statuses agree with "Refreshed at".
///
/// ```ignore
/// let now = use_clock(Duration::from_secs(30));
/// let expired = move || invitation.is_expired(now.get());
/// ```
pub fn use_clock(tick: Duration) -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(Utc::now());
    if let Ok(interval) = set_interval_with_handle(move || now.set(Utc::now()), tick) {
        on_cleanup(move || interval.clear());
    }
    now
}
