//! The gateway's audit records: what a forwarded change intends, read from its request, and
//! what came of it, read from the upstream's answer.

use axum::http::StatusCode;
use serde_json::Value;

use crate::auth::permit::target_id;
use crate::store::audit::{Action, Entry};

/// One record per address a create names (one for an invitation to revoke), none of them
/// with an outcome yet.
pub fn intended(action: Action, path: &str, body: &[u8]) -> Vec<Entry> {
    let entry = |email: Option<String>| Entry {
        action,
        email,
        invitation_id: target_id(path),
        replaces: None,
        status: None,
        detail: None,
    };
    if action != Action::Create {
        return vec![entry(None)];
    }
    let email_of = |element: &Value| {
        element
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(elements)) if !elements.is_empty() => elements
            .iter()
            .map(|element| entry(email_of(element)))
            .collect(),
        Ok(element) => vec![entry(email_of(&element))],
        Err(_) => vec![entry(None)],
    }
}

/// The records completed with the upstream's answer: per element for a batch, else the
/// request's status (and the invitation's id or address, when the answer has them).
pub fn outcomes(
    action: Action,
    records: Vec<(i64, Entry)>,
    status: StatusCode,
    body: &[u8],
) -> Vec<(i64, Entry)> {
    let answer = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    let detail_of = |value: &Value| value["error"]["detail"].as_str().map(str::to_owned);
    let per_element = answer["results"]
        .as_array()
        .filter(|_| status.is_success() && !records.is_empty());
    records
        .into_iter()
        .enumerate()
        .map(|(position, (seq, mut entry))| {
            match per_element.and_then(|results| results.get(position)) {
                Some(result) => {
                    entry.status = result["status"].as_u64().map(|status| status as u16);
                    entry.invitation_id = result["data"]["id"].as_str().map(str::to_owned);
                    entry.detail = detail_of(result);
                }
                None => {
                    entry.status = Some(status.as_u16());
                    entry.detail = detail_of(&answer);
                    match action {
                        Action::Create => {
                            if let Some(id) = answer["result"]["id"].as_str() {
                                entry.invitation_id = Some(id.to_owned());
                            }
                        }
                        _ => {
                            if let Some(email) = answer["result"]["email"].as_str() {
                                entry.email = Some(email.to_owned());
                            }
                        }
                    }
                }
            }
            (seq, entry)
        })
        .collect()
}

/// The records of a request whose answer never came, or came and could not be read whole
/// (too large, cut short): the upstream may or may not have made the change, and the record
/// says so.
pub fn unknown(records: Vec<(i64, Entry)>) -> Vec<(i64, Entry)> {
    records
        .into_iter()
        .map(|(seq, mut entry)| {
            entry.status = None;
            entry.detail = Some(
                "Outcome unknown: the upstream's answer could not be read; check the list".into(),
            );
            (seq, entry)
        })
        .collect()
}
