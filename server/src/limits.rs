//! Every size and time limit of the server, in one place.

use std::time::Duration;

/// Room for a full batch of maximal addresses with JSON around them, and no more.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// How long the upstream may take to answer one request in gateway mode.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting to the upstream may take.
pub const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer the gateway passes on from the upstream: a full page of 1000
/// invitations is about 250 KiB, so this leaves room and stops a runaway upstream from
/// filling the gateway's memory.
pub const MAX_UPSTREAM_REPLY_BYTES: usize = 16 * 1024 * 1024;
