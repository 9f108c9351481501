//! What the server records about itself, on the ground floor so every layer can record: the
//! metrics (served by `crate::http::metrics` on a listener of their own, `--metrics-addr`, off
//! by default), a request's id and actor as the log line carries them, and the fixed set of
//! method names anything recorded may use. The code records into the `metrics` facade
//! wherever something happens; without `--metrics-addr` no recorder is
//! installed and recording costs nothing. What is recorded:
//!
//! - `org_invitations_http_requests_total{route,method,status}` and
//!   `org_invitations_http_request_duration_seconds{route}`, by route template, never the raw
//!   path; `org_invitations_http_requests_in_flight`;
//! - `org_invitations_store_operation_duration_seconds{operation}`;
//! - `org_invitations_postgres_pool_connections{state}` (size, idle, waiting), read at scrape;
//! - `org_invitations_sqlite_group_commit_batch_size`;
//! - `org_invitations_refusals_total{kind}` (`unauthorized`, `forbidden`, `cross_site`,
//!   `too_many_writes`, `too_many_failures`);
//! - `org_invitations_audit_write_failures_total`;
//! - `org_invitations_mail_total{outcome}` (`sent`, `written`, `retry`, `failed`);
//! - `org_invitations_webhook_deliveries_total{outcome}` (`delivered`, `retry`, `failed`);
//! - `org_invitations_build_info{version}`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::http::Method;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: from a cached read to a gateway's slow upstream.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// Whether a recorder is installed: without one, a request's labels are not even made.
static RECORDING: AtomicBool = AtomicBool::new(false);

#[derive(Debug, thiserror::Error)]
#[error("cannot record metrics: {0}")]
pub struct MetricsError(String);

/// Installs the process's recorder; returns what renders the text format.
pub fn install() -> Result<PrometheusHandle, MetricsError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Full("org_invitations_sqlite_group_commit_batch_size".into()),
                &BATCH_BUCKETS,
            )
        })
        .map_err(|err| MetricsError(err.to_string()))?
        .install_recorder()
        .map_err(|err| MetricsError(err.to_string()))?;
    metrics::gauge!("org_invitations_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    RECORDING.store(true, Ordering::Relaxed);
    Ok(handle)
}

/// What to warn an operator of who serves metrics on `address`: they ask for no credential,
/// so anything but loopback lets whoever reaches that address read them.
pub fn exposure_warning(address: std::net::SocketAddr) -> Option<String> {
    (!address.ip().is_loopback()).then(|| {
        format!(
            "metrics are served on {address} without a credential: anyone who can reach it reads \
             them. Bind --metrics-addr to loopback, or keep the address to a network only your \
             scraper reaches"
        )
    })
}

/// The standard methods (RFC 9110 and PATCH): a route that does not take one answers 405.
const KNOWN_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
    Method::TRACE,
    Method::CONNECT,
];

/// `method` as a metric label or a log field: its name when it is a standard one, else `other`
/// (an extension method, which a client can make up), so a client cannot make a series or a
/// field of its own.
pub fn method_label(method: &Method) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}

/// The id of one request: in the log line, the `X-Request-Id` answer header, and the audit
/// trail, so one can be found from the others.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Who made the request, as authentication found it: carried out on the answer for the log.
#[derive(Debug, Clone)]
pub struct LoggedActor(pub String);

/// One request answered. `method` is one of a fixed set ([`method_label`]) and `route` a template of the
/// router, so the series are as many as the routes, whatever clients send.
pub fn request(route: &str, method: &'static str, status: u16, took: Duration) {
    if !RECORDING.load(Ordering::Relaxed) {
        return;
    }
    metrics::counter!(
        "org_invitations_http_requests_total",
        "route" => route.to_owned(),
        "method" => method,
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("org_invitations_http_request_duration_seconds", "route" => route.to_owned())
        .record(took.as_secs_f64());
}

/// A request being served, counted until it is dropped.
pub struct InFlight;

impl InFlight {
    pub fn start() -> Self {
        metrics::gauge!("org_invitations_http_requests_in_flight").increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("org_invitations_http_requests_in_flight").decrement(1.0);
    }
}

/// Why a request was refused, for `org_invitations_refusals_total`.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    Unauthorized,
    Forbidden,
    CrossSite,
    TooManyWrites,
    TooManyFailures,
}

pub fn refusal(kind: Refusal) {
    let kind = match kind {
        Refusal::Unauthorized => "unauthorized",
        Refusal::Forbidden => "forbidden",
        Refusal::CrossSite => "cross_site",
        Refusal::TooManyWrites => "too_many_writes",
        Refusal::TooManyFailures => "too_many_failures",
    };
    metrics::counter!("org_invitations_refusals_total", "kind" => kind).increment(1);
}

pub fn store_operation(operation: &'static str, took: Duration) {
    metrics::histogram!("org_invitations_store_operation_duration_seconds", "operation" => operation)
        .record(took.as_secs_f64());
}

pub fn group_commit_batch(writes: usize) {
    metrics::histogram!("org_invitations_sqlite_group_commit_batch_size").record(writes as f64);
}

/// One invitation mail attempt settled: `sent`, `written`, `retry`, `failed`.
pub fn mail(outcome: &'static str) {
    metrics::counter!("org_invitations_mail_total", "outcome" => outcome).increment(1);
}

/// One webhook delivery attempt settled: `delivered`, `retry`, `failed`.
pub fn webhook(outcome: &'static str) {
    metrics::counter!("org_invitations_webhook_deliveries_total", "outcome" => outcome)
        .increment(1);
}

pub fn audit_write_failed() {
    metrics::counter!("org_invitations_audit_write_failures_total").increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_keep_their_name() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(method_label(&Method::TRACE), "TRACE");
        for other in ["get", "PROPFIND", "MKCOL", &"X".repeat(500)] {
            let method = Method::from_bytes(other.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other", "{other}");
        }
    }

    #[test]
    fn only_a_loopback_listener_goes_without_a_warning() {
        for quiet in ["127.0.0.1:9100", "[::1]:9100", "127.0.0.2:0"] {
            assert_eq!(exposure_warning(quiet.parse().unwrap()), None, "{quiet}");
        }
        for exposed in [
            "0.0.0.0:9100",
            "[::]:9100",
            "10.0.0.5:9100",
            "203.0.113.7:9100",
        ] {
            let warning = exposure_warning(exposed.parse().unwrap());
            assert!(
                warning.is_some_and(|said| said.contains("without a credential")),
                "{exposed}"
            );
        }
    }
}
