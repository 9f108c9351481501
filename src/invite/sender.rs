//! Sends invitations in batches the server accepts, one batch after another, and reports
//! what happened to every address.

use org_invitations_core::invite_outcome::{Outcome, outcomes_of_batch};
use org_invitations_core::wire::limits::MAX_BATCH_SIZE;

use crate::api::{ApiClient, ApiError};

/// Every address, in input order, with its outcome; and the request error that stopped the
/// sending, if one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    pub outcomes: Vec<(String, Outcome)>,
    pub stopped_by: Option<ApiError>,
}

impl SendReport {
    pub fn sent(&self) -> impl Iterator<Item = &str> {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| *outcome == Outcome::Sent)
            .map(|(address, _)| address.as_str())
    }

    /// Addresses the server refused or never answered for: worth another try.
    pub fn failed(&self) -> impl Iterator<Item = &str> {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Refused(_) | Outcome::NotSent))
            .map(|(address, _)| address.as_str())
    }

    /// Addresses whose answer was lost: maybe invited.
    pub fn unknown(&self) -> impl Iterator<Item = &str> {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| *outcome == Outcome::Unknown)
            .map(|(address, _)| address.as_str())
    }

    pub fn skipped(&self) -> impl Iterator<Item = &str> {
        self.outcomes
            .iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Skipped(_)))
            .map(|(address, _)| address.as_str())
    }
}

/// Sends `addresses` in batches of at most the server's limit, their mail in `locale` where the
/// server sends it; `on_batch` hears how many are done after each batch. A request that fails stops the sending: its batch is `Unknown` when
/// the server may have carried it out, `NotSent` otherwise, and the rest are `NotSent`.
pub async fn send_invitations(
    client: &ApiClient,
    addresses: &[String],
    locale: Option<&str>,
    mut on_batch: impl FnMut(usize),
) -> SendReport {
    let mut outcomes = Vec::with_capacity(addresses.len());
    let mut stopped_by = None;
    for batch in addresses.chunks(MAX_BATCH_SIZE) {
        if stopped_by.is_some() {
            outcomes.extend(
                batch
                    .iter()
                    .map(|address| (address.clone(), Outcome::NotSent)),
            );
            continue;
        }
        match client.batch_create(batch, locale).await {
            Ok(response) => outcomes.extend(outcomes_of_batch(batch, &response)),
            Err(error) => {
                let outcome = if error.change_may_have_happened() {
                    Outcome::Unknown
                } else {
                    Outcome::NotSent
                };
                outcomes.extend(
                    batch
                        .iter()
                        .map(|address| (address.clone(), outcome.clone())),
                );
                stopped_by = Some(error);
            }
        }
        on_batch(outcomes.len());
    }
    SendReport {
        outcomes,
        stopped_by,
    }
}
