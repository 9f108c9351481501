//! What happened to each address of an invitation request, worked out from the server's
//! answers and the console's own verdicts, in the order the addresses were typed.

use crate::email_input::{Candidate, Verdict};
use crate::wire::BatchCreateResponse;

/// What happened to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Refused by the server, with its reason.
    Refused(String),
    /// Never answered: a request failed before this address's batch was accepted.
    NotSent,
    /// Sent, but the answer was lost (the connection dropped, or the answer could not be
    /// read): it may have been invited. Sending it again is safe: an address already invited
    /// is refused, never invited twice.
    Unknown,
    /// Not sent, for a reason the console saw first (invalid, duplicate, already invited).
    Skipped(crate::email_input::Verdict),
}

/// Each address of `batch` with the server's result for it. Results are matched by position,
/// as the contract says; an address without one was never answered.
pub fn outcomes_of_batch(
    batch: &[String],
    response: &BatchCreateResponse,
) -> Vec<(String, Outcome)> {
    batch
        .iter()
        .enumerate()
        .map(|(position, address)| {
            let outcome = match response.results.get(position) {
                Some(result) if result.data.is_some() => Outcome::Sent,
                Some(result) => Outcome::Refused(
                    result
                        .error
                        .as_ref()
                        .map(|error| error.detail.clone())
                        .unwrap_or_else(|| format!("Refused (HTTP {})", result.status)),
                ),
                None => Outcome::NotSent,
            };
            (address.clone(), outcome)
        })
        .collect()
}

/// One line per candidate, in the order typed: the server's outcome for those sent (`sent`
/// holds them in the order they were sent), the console's reason for the rest.
pub fn merge_in_input_order(
    candidates: &[Candidate],
    sent: Vec<(String, Outcome)>,
) -> Vec<(String, Outcome)> {
    let mut sent = sent.into_iter();
    candidates
        .iter()
        .map(|candidate| match &candidate.verdict {
            Verdict::Valid => sent
                .next()
                .unwrap_or_else(|| (candidate.address.clone(), Outcome::NotSent)),
            skipped => (candidate.address.clone(), Outcome::Skipped(skipped.clone())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_input::parse;
    use crate::wire::BatchCreateResult;
    use std::collections::HashSet;

    fn addresses(list: &[&str]) -> Vec<String> {
        list.iter().map(|address| (*address).to_owned()).collect()
    }

    #[test]
    fn results_are_matched_by_position_and_a_missing_one_was_not_sent() {
        let response = BatchCreateResponse {
            results: vec![
                BatchCreateResult::created("orginv_a"),
                BatchCreateResult::failed(409, "Invitation already exists for b@x.com"),
            ],
        };
        assert_eq!(
            outcomes_of_batch(&addresses(&["a@x.com", "b@x.com", "c@x.com"]), &response),
            [
                ("a@x.com".to_owned(), Outcome::Sent),
                (
                    "b@x.com".to_owned(),
                    Outcome::Refused("Invitation already exists for b@x.com".into())
                ),
                ("c@x.com".to_owned(), Outcome::NotSent),
            ]
        );
    }

    #[test]
    fn a_refusal_without_detail_names_its_status() {
        let response = BatchCreateResponse {
            results: vec![BatchCreateResult {
                status: 422,
                data: None,
                error: None,
            }],
        };
        assert_eq!(
            outcomes_of_batch(&addresses(&["a@x.com"]), &response)[0].1,
            Outcome::Refused("Refused (HTTP 422)".into())
        );
    }

    #[test]
    fn skipped_addresses_keep_their_place_among_the_sent_ones() {
        let candidates = parse("a@x.com, nope, b@x.com, a@x.com", &HashSet::new());
        let sent = vec![
            ("a@x.com".to_owned(), Outcome::Sent),
            ("b@x.com".to_owned(), Outcome::Refused("no".into())),
        ];
        let merged = merge_in_input_order(&candidates, sent);
        let addresses: Vec<&str> = merged.iter().map(|(address, _)| address.as_str()).collect();
        assert_eq!(addresses, ["a@x.com", "nope", "b@x.com", "a@x.com"]);
        assert_eq!(merged[0].1, Outcome::Sent);
        assert!(matches!(merged[1].1, Outcome::Skipped(_)));
        assert_eq!(merged[2].1, Outcome::Refused("no".into()));
        assert_eq!(merged[3].1, Outcome::Skipped(Verdict::Duplicate));
    }

    #[test]
    fn valid_candidates_never_answered_are_not_sent() {
        let candidates = parse("a@x.com b@x.com", &HashSet::new());
        let merged = merge_in_input_order(&candidates, Vec::new());
        assert!(
            merged
                .iter()
                .all(|(_, outcome)| *outcome == Outcome::NotSent)
        );
    }
}
