//! Every size and time limit of the server, in one place.

use std::num::NonZeroU32;
use std::time::Duration;

use chrono::TimeDelta;

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
/// How long request headers may take, and a connection may stay idle, unless
/// `--header-timeout` says otherwise.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once (`--max-connections`), and held by one client address
/// (`--max-connections-per-client`), unless told otherwise.
pub const MAX_CONNECTIONS: u32 = 1024;
pub const MAX_CONNECTIONS_PER_CLIENT: u32 = 64;
/// Changes a minute per identity (`--write-limit`) and failed sign-ins a minute per client
/// address (`--auth-failure-limit`), unless told otherwise.
pub const WRITES_PER_MINUTE: NonZeroU32 = NonZeroU32::new(1200).expect("not zero");
pub const AUTH_FAILURES_PER_MINUTE: NonZeroU32 = NonZeroU32::new(30).expect("not zero");
/// How long the upstream may take to answer (`--upstream-timeout`), unless told otherwise.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

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

/// The audit trail's page when none is asked for, and the largest one may ask for.
pub const AUDIT_DEFAULT_COUNT: u32 = 50;
pub const AUDIT_MAX_COUNT: u32 = 1000;

/// The most of an oversized body that is read (and dropped) so its sender can read the 413.
pub const DRAIN_LIMIT_BYTES: u64 = 4 * 1024 * 1024;

/// How long a browser session (a sign-in) lasts.
pub const SESSION_LIFETIME: TimeDelta = TimeDelta::hours(12);

/// Connections per instance. Two or three instances stay well below PostgreSQL's default of
/// 100.
pub const POSTGRES_POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for one to be made, before it is told 503.
pub const POSTGRES_CONNECTION_WAIT: Duration = Duration::from_secs(5);

/// How often a create retries after PostgreSQL broke a deadlock or a serialisation conflict
/// by failing its transaction.
pub const MOST_CONFLICT_RETRIES: usize = 3;

/// The most writes one transaction takes; a longer queue is served by the next one.
pub const MOST_WRITES_PER_COMMIT: usize = 256;

/// Writes that may wait in the queue; a caller beyond that waits to enqueue.
pub const WRITE_QUEUE_LENGTH: usize = 1024;

/// How many connections serve reads. In WAL mode readers never wait for the writer, so a
/// listing is not held up behind another request's fsync.
pub const SQLITE_READERS: usize = 4;

/// The most characters of an address or id a record keeps (any valid address fits), and of
/// a detail: what is recorded of what a caller sent is bounded.
pub const MOST_RECORDED_NAME: usize = 256;
pub const MOST_RECORDED_DETAIL: usize = 512;

/// How many refusals of one request are recorded one by one; the rest are one record that
/// counts them.
pub const REFUSALS_RECORDED_ONE_BY_ONE: usize = 10;

/// How long the readiness query may take before the store counts as not ready: shorter than
/// a load balancer's probe interval, so a database that went away shows within seconds.
pub const READY_WITHIN: Duration = Duration::from_secs(2);

/// How often a token's "last used" is written: at most once a minute, not on every request.
pub const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(1);

/// How long the `healthcheck` subcommand's whole check may take.
pub const HEALTHCHECK_WITHIN: Duration = Duration::from_secs(5);

/// The shortest owner token (`--token`) accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// How long a claimed message is this worker's: another instance (or this one, restarted)
/// takes it again only after, so a crash loses nothing and a live worker is never raced.
pub const MAIL_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// Messages claimed at once, and sent at once, by one worker.
pub const MAIL_BATCH: u32 = 16;

/// The most webhook endpoints kept: each event is posted to every one that wants it.
pub const MAX_WEBHOOKS: usize = 20;

/// How long a rotated-out webhook secret keeps signing beside the new one, so a receiver can
/// switch without missing a delivery.
pub const WEBHOOK_SECRET_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// The longest webhook endpoint URL taken.
pub const MAX_WEBHOOK_URL_LEN: usize = 2048;

/// How long a receiver has to answer a delivery (connecting included); later is a failure.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a webhook endpoint's name may take to resolve, when it is added and before each
/// delivery (the system's resolver may wait longer on a DNS server that does not answer).
pub const WEBHOOK_RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a receiver's answer is read (for the delivery log); the rest is dropped.
pub const MAX_WEBHOOK_ANSWER_BYTES: usize = 4 * 1024;
/// How long a claimed delivery is this worker's: past it (a crash), another takes it again.
pub const WEBHOOK_LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Deliveries of one endpoint in flight at once (per instance): a receiver that keeps up gets
/// its events this many at a time; one that does not holds only these.
pub const WEBHOOK_IN_FLIGHT_PER_ENDPOINT: u32 = 8;
/// Deliveries in flight at once per instance: every endpoint's share, so none waits on
/// another's.
pub const WEBHOOK_BATCH: u32 = MAX_WEBHOOKS as u32 * WEBHOOK_IN_FLIGHT_PER_ENDPOINT;
/// How often a webhook worker with nothing due looks again (retries, expiries).
pub const WEBHOOK_POLL: Duration = Duration::from_millis(500);
/// How long a settled delivery (delivered, or failed for good) is kept for the log; pending
/// ones are kept until they settle.
pub const WEBHOOK_DELIVERY_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(30);
/// How often a webhook worker removes deliveries past their retention.
pub const WEBHOOK_PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How many deliveries an endpoint's log shows.
pub const WEBHOOK_DELIVERIES_SHOWN: u32 = 50;
/// An endpoint failing every delivery for this long is disabled (`--webhook-disable-after`).
pub const WEBHOOK_DISABLE_AFTER: &str = "5d";

/// Invitation mails an hour, by default (`--max-mails-per-hour`): far above what a team
/// invites, far below what a stolen token could make the server send in its name.
pub const MAILS_PER_HOUR: u32 = 1000;

/// Invitation mails a day to one address, by default (`--max-mails-per-address`): a first
/// mail and a few resends.
pub const MAILS_PER_ADDRESS_PER_DAY: u32 = 5;
/// How often a worker with nothing to send looks again.
pub const MAIL_POLL: Duration = Duration::from_millis(500);
/// How long a mail server may take over one message before the attempt counts as refused for
/// now.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
