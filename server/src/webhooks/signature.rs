//! Standard Webhooks signatures: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`
//! under each secret that signs (the endpoint's, and the one before it for a day after a
//! rotation), space-separated in one `webhook-signature` header. Made by the `standardwebhooks`
//! crate, the specification's own Rust implementation.

/// The `webhook-signature` header for `body`, sent as message `id` at `timestamp` (seconds).
pub fn sign(secrets: &[String], id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    secrets
        .iter()
        .map(|secret| {
            standardwebhooks::Webhook::new(secret)
                .and_then(|signer| signer.sign(id, timestamp, body.as_bytes()))
                .map_err(|err| format!("the endpoint's secret cannot sign: {err}"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|signatures| signatures.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_secret_signs_and_a_receiver_with_either_verifies() {
        let (old, new) = (
            super::super::secret::new_secret(),
            super::super::secret::new_secret(),
        );
        let header = sign(&[new.clone(), old.clone()], "msg_1", 1_700_000_000, "{}").unwrap();
        let signatures: Vec<&str> = header.split(' ').collect();
        assert_eq!(signatures.len(), 2);
        assert!(
            signatures
                .iter()
                .all(|signature| signature.starts_with("v1,"))
        );
        assert_ne!(signatures[0], signatures[1]);
        assert_eq!(
            sign(&[old], "msg_1", 1_700_000_000, "{}").unwrap(),
            signatures[1]
        );
    }
}
