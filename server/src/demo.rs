//! Sample invitations for `--demo`, so a newcomer sees a filled table.

use chrono::{TimeDelta, Utc};

use crate::store::{Store, StoreError};

const SAMPLES: &[(&str, TimeDelta)] = &[
    ("ada.lovelace@example.com", TimeDelta::minutes(5)),
    ("grace.hopper@example.com", TimeDelta::hours(20)),
    ("alan.turing@example.org", TimeDelta::days(2)),
    (
        "katherine.johnson@example.net",
        TimeDelta::hours(6 * 24 + 12),
    ),
    // Created eight days ago: expired a day ago.
    ("edsger.dijkstra@example.com", TimeDelta::days(8)),
];

/// Seeds the samples into an empty store; a store with any history is left alone.
/// Returns how many were added.
pub async fn seed(store: &Store) -> Result<usize, StoreError> {
    if store.count_all().await? > 0 {
        return Ok(0);
    }
    let now = Utc::now();
    for (email, age) in SAMPLES {
        store
            .create_many(&[email.to_string()], now - *age, None, None)
            .await?;
    }
    Ok(SAMPLES.len())
}
