//! What a batch of revocations did; the console's notices word it (src/delete/notices.rs).

/// What the server did with a batch of revocations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Outcome {
    pub deleted: usize,
    /// Someone else revoked these first (404): gone, but not by us.
    pub already_gone: usize,
    pub failed: usize,
    /// The request may have been carried out, but no answer says so (the connection dropped
    /// after sending, or the answer could not be read): shown in the list until a refresh
    /// tells.
    pub unknown: usize,
}
