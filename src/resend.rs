//! Resending invitations: a fresh invitation (new id, full lifetime) for an address whose
//! invitation is pending or expired. On this project's server that is one atomic call; through
//! a gateway it is a revocation, then a new invitation, and the report says honestly when the
//! second step failed after the first, offering to invite the address again.

mod report;
mod service;

pub use report::ResendReport;
pub use service::{ResendLine, Resends};

use leptos::prelude::*;

use crate::later::{Part, SplitLoaderError, split};

split! {
    /// The resends' progress and report, in the `later` module.
    pub fn resend_report_part() -> Result<Part<()>, SplitLoaderError> {
        Ok(|()| view! { <ResendReport /> }.into_any())
    }
}
