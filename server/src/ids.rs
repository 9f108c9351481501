//! Identifiers and secrets, from the operating system's random source.

use rand::Rng;
use rand::distr::{Alphanumeric, SampleString};

/// The observed id alphabet: lower-case letters and digits 1–9, without `o` (and so without
/// the look-alikes `0`/`o`).
const ID_ALPHABET: &[u8] = b"abcdefghijklmnpqrstuvwxyz123456789";

fn random_id(prefix: &str, len: usize) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    id.extend((0..len).map(|_| ID_ALPHABET[rng.random_range(0..ID_ALPHABET.len())] as char));
    id
}

/// `orginv_` and 26 characters, as the real API's ids look.
pub fn invitation_id() -> String {
    random_id("orginv_", 26)
}

/// A webhook endpoint's id: `wh_` and 26 characters.
pub fn webhook_id() -> String {
    random_id("wh_", 26)
}

/// A webhook message's id (`webhook-id`, the same on every retry of one event): `msg_` and
/// 26 characters.
pub fn message_id() -> String {
    random_id("msg_", 26)
}

pub fn organization_id() -> String {
    random_id("org_", 26)
}

/// An API token in the shape the Anyscale CLI accepts (`sss_…`), with 190 bits of entropy.
pub fn api_token() -> String {
    format!("sss_{}", Alphanumeric.sample_string(&mut rand::rng(), 32))
}

/// A request's id, for the log, the `X-Request-Id` header and the audit trail.
pub fn request_id() -> String {
    random_id("req_", 20)
}

/// A browser session's id: 256 bits of randomness, never the API token.
pub fn session_id() -> String {
    format!("ses_{}", Alphanumeric.sample_string(&mut rand::rng(), 43))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_ids_have_the_observed_shape_and_differ() {
        let id = invitation_id();
        assert_eq!(id.len(), "orginv_".len() + 26);
        assert!(
            id["orginv_".len()..]
                .bytes()
                .all(|b| ID_ALPHABET.contains(&b))
        );
        assert!(!id["orginv_".len()..].contains(['o', '0']));
        assert_ne!(invitation_id(), id);
    }

    #[test]
    fn tokens_look_like_cli_tokens() {
        let token = api_token();
        assert!(token.starts_with("sss_") && token.len() == 36);
    }
}
