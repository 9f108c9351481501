//! What a resend did to each address, in words: the console's report says it this way. A
//! resend either happens in one step on this project's server, or (through a gateway, whose
//! upstream has no resend) as a revocation followed by a new invitation; in that case the
//! second step can fail after the first succeeded, and the report must say so.

/// How one address's resend ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// A fresh invitation with a new id and a full lifetime replaced the old one.
    Resent,
    /// Nothing changed: the old invitation stands (or was already gone).
    NotResent(String),
    /// The old invitation was revoked, but the new one was not made: the address has no
    /// invitation now, and the person must be invited again.
    RevokedOnly(String),
}

impl ResendOutcome {
    /// "Resent", "Not resent: …", "Revoked, but the new invitation failed: …".
    pub fn describe(&self) -> String {
        match self {
            ResendOutcome::Resent => "Resent".to_owned(),
            ResendOutcome::NotResent(why) => format!("Not resent: {why}"),
            ResendOutcome::RevokedOnly(why) => {
                format!("Revoked, but the new invitation failed, so there is none now: {why}")
            }
        }
    }
}

/// The report's headline: "Resent 3 invitations." or "Resent 1 of 3 invitations; 1 not
/// resent; 1 revoked without a new one."
pub fn headline(outcomes: &[ResendOutcome]) -> String {
    let count = |wanted: fn(&ResendOutcome) -> bool| outcomes.iter().filter(|o| wanted(o)).count();
    let resent = count(|outcome| *outcome == ResendOutcome::Resent);
    let not_resent = count(|outcome| matches!(outcome, ResendOutcome::NotResent(_)));
    let revoked_only = count(|outcome| matches!(outcome, ResendOutcome::RevokedOnly(_)));
    let noun = |n: usize| if n == 1 { "invitation" } else { "invitations" };
    if resent == outcomes.len() {
        return format!("Resent {resent} {}.", noun(resent));
    }
    let mut parts = vec![format!(
        "Resent {resent} of {} {}",
        outcomes.len(),
        noun(outcomes.len())
    )];
    if not_resent > 0 {
        parts.push(format!("{not_resent} not resent"));
    }
    if revoked_only > 0 {
        parts.push(format!("{revoked_only} revoked without a new one"));
    }
    format!("{}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_counts_every_kind_of_ending() {
        assert_eq!(headline(&[ResendOutcome::Resent]), "Resent 1 invitation.");
        assert_eq!(
            headline(&[ResendOutcome::Resent, ResendOutcome::Resent]),
            "Resent 2 invitations."
        );
        assert_eq!(
            headline(&[
                ResendOutcome::Resent,
                ResendOutcome::NotResent("gone".into()),
                ResendOutcome::RevokedOnly("refused".into()),
            ]),
            "Resent 1 of 3 invitations; 1 not resent; 1 revoked without a new one."
        );
        assert_eq!(
            headline(&[ResendOutcome::RevokedOnly("x".into())]),
            "Resent 0 of 1 invitation; 1 revoked without a new one."
        );
    }

    #[test]
    fn a_revocation_without_a_new_invitation_says_the_address_has_none() {
        assert_eq!(
            ResendOutcome::RevokedOnly("Upstream refused (HTTP 500)".into()).describe(),
            "Revoked, but the new invitation failed, so there is none now: Upstream refused (HTTP 500)"
        );
        assert_eq!(
            ResendOutcome::NotResent("it was already deleted".into()).describe(),
            "Not resent: it was already deleted"
        );
    }
}
