//! Every size and time limit of the server, in one place.

use std::time::Duration;

/// Room for a full batch of maximal addresses with JSON around them, and no more.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// How long the upstream may take to answer one request in gateway mode.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting to the upstream may take.
pub const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
