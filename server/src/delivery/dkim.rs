//! DKIM signatures on invitation mail (`--dkim-key`, `--dkim-selector`): without one, mail from
//! a new server lands in spam or is refused under DMARC. The signing domain is the
//! `--mail-from` address's, so the signature aligns with the visible sender as DMARC asks.
//! lettre signs (its `dkim` feature, RSA-SHA256); the key is read once at start and never
//! logged or shown. RSA because every receiver verifies it (Ed25519 DKIM, RFC 8463, is not
//! yet verified by the large mailbox providers).

use std::path::Path;
use std::sync::Arc;

use lettre::message::Mailbox;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;

/// The headers signed: those a reader sees, so none can be changed on the way without the
/// signature failing. Not `Content-Type`: lettre writes a multipart message's with its body,
/// after the signature is made, so it cannot sign it (the body hash covers every part).
const SIGNED: [&str; 7] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Auto-Submitted",
];

/// What signs each message: lettre's configuration, shared, never printed (it holds the key).
#[derive(Clone)]
pub struct Signer {
    config: Arc<DkimConfig>,
    /// `d=` and `s=`, for the start-up line.
    described: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.write_str(&self.described)
    }
}

impl Signer {
    /// The signer for mail from `from`, with the RSA private key in `key` (PEM, PKCS#1 `RSA
    /// PRIVATE KEY` or PKCS#8 `PRIVATE KEY`, as `openssl genrsa` and `openssl genpkey` write
    /// them) published under `selector`.
    pub fn new(key: &Path, selector: &str, from: &Mailbox) -> Result<Self, String> {
        let domain = from.email.domain().to_ascii_lowercase();
        Ok(Self {
            config: Arc::new(config(key, selector, &domain)?),
            described: format!("DKIM-signed as {selector}._domainkey.{domain}"),
        })
    }

    pub fn sign(&self, message: &mut lettre::Message) {
        message.sign(&self.config);
    }

    /// Where the public key must be published, for the start-up line.
    pub fn describe(&self) -> &str {
        &self.described
    }
}

fn config(key: &Path, selector: &str, domain: &str) -> Result<DkimConfig, String> {
    if !is_selector(selector) {
        return Err(format!(
            "--dkim-selector {selector:?} is no DNS name: letters, digits, '-' and '.' only"
        ));
    }
    let pem = std::fs::read_to_string(key)
        .map_err(|err| format!("cannot read --dkim-key {}: {err}", key.display()))?;
    let refused = || {
        format!(
            "--dkim-key {} is no RSA private key in PEM (write one with `openssl genrsa 2048`)",
            key.display()
        )
    };
    let pkcs1 = if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
        pem
    } else if pem.contains("-----BEGIN PRIVATE KEY-----") {
        rsa::RsaPrivateKey::from_pkcs8_pem(&pem)
            .map_err(|_| refused())?
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|_| refused())?
            .to_string()
    } else {
        return Err(refused());
    };
    let signing = DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa).map_err(|_| refused())?;
    Ok(DkimConfig::new(
        selector.to_owned(),
        domain.to_owned(),
        signing,
        SIGNED
            .iter()
            .map(|name| HeaderName::new_from_ascii_str(name))
            .collect(),
        // Relaxed both ways: the signature survives relays that refold headers or change
        // trailing spaces.
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

/// A DNS name's shape: dot-separated labels of letters, digits and inner hyphens.
fn is_selector(selector: &str) -> bool {
    !selector.is_empty()
        && selector.len() <= 253
        && selector.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_dns_names() {
        for good in ["mail", "s2026-12", "inv.acme"] {
            assert!(is_selector(good), "{good}");
        }
        for bad in ["", "-x", "x-", "a..b", "sel ector", "s\r\nBcc: x", "ü"] {
            assert!(!is_selector(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_file_that_is_no_rsa_key_is_refused_saying_which() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("key.pem");
        std::fs::write(
            &file,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let from: Mailbox = "Acme <invitations@acme.example>".parse().unwrap();
        let refused = Signer::new(&file, "mail", &from).unwrap_err();
        assert!(refused.contains("no RSA private key"), "{refused}");
        let missing = Signer::new(&folder.path().join("none.pem"), "mail", &from).unwrap_err();
        assert!(missing.contains("cannot read --dkim-key"), "{missing}");
    }
}
