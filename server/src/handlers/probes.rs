//! `GET /healthz` (the process serves: no I/O) and `GET /readyz` (ready to serve: the store
//! answers and its migrations are applied; in gateway mode, the gateway's own store), for load
//! balancers and container runtimes. Never behind a credential, never rate-limited, and
//! logged below the info level.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::Site;

/// The probes' paths, outside the API: no credential, no limit, no info-level log line.
pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";

#[derive(Serialize)]
pub struct Probe {
    status: &'static str,
    /// Each check by name: `ok`, or why not.
    checks: std::collections::BTreeMap<&'static str, String>,
}

pub async fn healthz() -> Json<Probe> {
    Json(Probe {
        status: "ok",
        checks: Default::default(),
    })
}

pub async fn readyz(State(site): State<Site>) -> (StatusCode, Json<Probe>) {
    let store = site.store.ready().await;
    let status = if store.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let probe = Probe {
        status: if store.is_ok() { "ok" } else { "unavailable" },
        checks: [("store", store.err().unwrap_or_else(|| "ok".to_owned()))].into(),
    };
    (status, Json(probe))
}
