//! Every size and time limit of the server, in one place.

use std::time::Duration;

/// Room for a full batch of maximal addresses with JSON around them, and no more.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// The longest request target (path and query) answered; longer is 414.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// The most header bytes, and header lines, a request may carry; more is 431.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
pub const MAX_HEADERS: usize = 200;
/// What the connection layer reads before the request limits above can answer: above these,
/// the HTTP library itself refuses the request.
pub const CONNECTION_BUFFER_BYTES: usize = 1024 * 1024;
pub const CONNECTION_MAX_HEADERS: usize = 1000;

/// The most characters of one value from a request (its path, its method, who made it) that
/// a log line holds; longer values are cut there and marked with `…`.
pub const MAX_LOGGED_CHARS: usize = 200;

/// The most of a refused stranger's body that is read (and dropped) so its sender can read the
/// answer, and how long that may take.
pub const STRANGER_DRAIN_BYTES: u64 = 64 * 1024;
pub const STRANGER_DRAIN_WAIT: Duration = Duration::from_secs(2);

/// How long a request body may take to arrive, unless `--body-timeout` says otherwise.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long requests still running at shutdown may take to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long connecting to the upstream may take.
pub const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer the gateway passes on from the upstream: a full page of 1000
/// invitations is about 250 KiB, so this leaves room and stops a runaway upstream from
/// filling the gateway's memory.
pub const MAX_UPSTREAM_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// The largest roles file read; a larger one is refused (it is a list of patterns, not data).
pub const MAX_ROLES_FILE_BYTES: u64 = 1024 * 1024;
/// How long reading the roles file again on SIGHUP may take (a hung network mount) before the
/// read is given up and the roles in force stay.
pub const ROLES_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The most session cookies of this server's name one request's are looked up: a page on
/// another port of the same host can plant a few (one per path); more are ignored.
pub const MAX_SESSION_COOKIES: usize = 8;
