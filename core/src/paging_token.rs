//! The lists' opaque `next_paging_token`: where the next page starts, as the position of the
//! last record given. Only this project's server writes and reads one; clients pass it back
//! untouched. Each listing has its own prefix, so a token from one is refused by the other.

/// Which listing a token pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The invitations, oldest first: the next page starts after the position.
    Invitations,
    /// The audit trail, newest first: the next page starts before the position.
    Audit,
}

impl Listing {
    const fn prefix(self) -> &'static str {
        match self {
            Listing::Invitations => "p1.",
            Listing::Audit => "a1.",
        }
    }
}

/// The token for position `seq` of `listing`.
pub fn encode(listing: Listing, seq: i64) -> String {
    format!("{}{seq:x}", listing.prefix())
}

/// The position a token of `listing` names; `None` for anything this server did not write:
/// another listing's token, a sign, a position below zero or past `i64`.
pub fn parse(listing: Listing, token: &str) -> Option<i64> {
    let hex = token.strip_prefix(listing.prefix())?;
    if hex.is_empty() || hex.len() > 15 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    i64::from_str_radix(hex, 16).ok().filter(|seq| *seq >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        for listing in [Listing::Invitations, Listing::Audit] {
            assert_eq!(parse(listing, &encode(listing, 12345)), Some(12345));
            let prefix = listing.prefix();
            for bad in ["", "ffffffffffffffff", "+5", "-5", "zz", " 5", "5 "] {
                let token = format!("{prefix}{bad}");
                assert_eq!(parse(listing, &token), None, "{token}");
            }
        }
        assert_eq!(
            parse(Listing::Audit, "a1.+5"),
            None,
            "what the audit's own parser took"
        );
        assert_eq!(
            parse(Listing::Audit, &encode(Listing::Invitations, 5)),
            None
        );
        assert_eq!(
            parse(Listing::Invitations, &encode(Listing::Audit, 5)),
            None
        );
    }
}
