//! Email address rules shared by the server (which enforces them) and the console (which
//! previews them before sending).

use email_address::{EmailAddress, Options};

/// RFC 5321 caps a forward-path at 256 octets including the angle brackets.
pub const MAX_EMAIL_LEN: usize = 254;

/// Why an address was refused. The messages are shown to people as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Email address is empty")]
    Empty,
    #[error("Email address is longer than {MAX_EMAIL_LEN} characters")]
    TooLong,
    #[error("Invalid email address '{address}': {reason}")]
    Invalid { address: String, reason: String },
}

/// Strict options: a bare address with a dotted domain, as an invitation needs one that mail
/// can reach. Display names (`Name <a@x.com>`) are the input parser's business, not this rule's.
const STRICT: Options = Options {
    minimum_sub_domains: 2,
    allow_domain_literal: false,
    allow_display_text: false,
    allow_long_local_parts: false,
};

/// Validates an address and returns it as it will be stored: trimmed, case kept.
pub fn normalize(raw: &str) -> Result<String, EmailError> {
    let address = raw.trim();
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    if address.len() > MAX_EMAIL_LEN {
        return Err(EmailError::TooLong);
    }
    EmailAddress::parse_with_options(address, STRICT)
        .map(|_| address.to_owned())
        .map_err(|err| EmailError::Invalid {
            address: address.to_owned(),
            reason: err.to_string(),
        })
}

/// The form in which two addresses are compared: `Ann@X.com` and `ann@x.com` are one person.
pub fn comparison_key(address: &str) -> String {
    address.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims_them() {
        assert_eq!(
            normalize("  test@anyscale.com\n").unwrap(),
            "test@anyscale.com"
        );
        assert_eq!(
            normalize("First.Last+tag@Sub.Example.co.uk").unwrap(),
            "First.Last+tag@Sub.Example.co.uk"
        );
    }

    #[test]
    fn accepts_international_addresses() {
        assert!(normalize("josé@bücher.de").is_ok());
        assert!(normalize("用户@例子.广告").is_ok());
    }

    #[test]
    fn refuses_what_cannot_receive_an_invitation() {
        for bad in [
            "plainaddress",
            "@no-local.com",
            "no-domain@",
            "a@b",
            "a b@x.com",
            "a@[127.0.0.1]",
            "Ann <ann@x.com>",
            "a@@x.com",
        ] {
            let err = normalize(bad).unwrap_err();
            assert!(matches!(err, EmailError::Invalid { .. }), "{bad}: {err:?}");
            assert!(err.to_string().contains(bad.trim()), "{err}");
        }
        assert_eq!(normalize("   "), Err(EmailError::Empty));
    }

    #[test]
    fn enforces_the_length_limit_at_254() {
        // The domain label is over 63 characters, so build one with dotted labels instead.
        let labels = ["c".repeat(61), "d".repeat(61), "e".repeat(61)].join(".");
        let valid = format!("{}@{labels}.com", "a".repeat(254 - labels.len() - 5));
        assert_eq!(valid.len(), 254);
        assert!(normalize(&valid).is_ok());
        assert_eq!(normalize(&format!("a{valid}")), Err(EmailError::TooLong));
    }

    #[test]
    fn comparison_ignores_case_and_surrounding_space() {
        assert_eq!(comparison_key(" Ann@X.COM "), comparison_key("ann@x.com"));
        assert_eq!(comparison_key("ÉLISE@x.com"), "élise@x.com");
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_addresses_are_trimmed_and_bounded(raw in "\\PC{0,300}") {
            if let Ok(address) = normalize(&raw) {
                prop_assert_eq!(address.trim(), address.as_str());
                prop_assert!(address.len() <= MAX_EMAIL_LEN);
                prop_assert!(address.contains('@'));
                prop_assert_eq!(normalize(&address), Ok(address.clone()));
            }
        }

        #[test]
        fn simple_generated_addresses_are_accepted(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[a-z][a-z0-9-]{0,10}[a-z0-9]\\.[a-z]{2,6}") {
            let address = format!("{local}@{domain}");
            prop_assume!(!local.contains(".."));
            prop_assert_eq!(normalize(&address), Ok(address.clone()));
        }
    }
}
