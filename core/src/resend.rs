//! What a resend did to each address; the console's report words it (src/resend/report.rs). A
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
