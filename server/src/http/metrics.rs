//! The metrics listener (`--metrics-addr`): `GET /metrics` in the Prometheus text format, on a
//! listener of its own so it is never reachable where the API is published. What is recorded
//! is `crate::telemetry`'s.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::store::Store;

/// The metrics listener's router: `GET /metrics`, nothing else.
pub fn router(handle: PrometheusHandle, store: Store) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, store))
}

async fn scrape(State((handle, store)): State<(PrometheusHandle, Store)>) -> impl IntoResponse {
    if let Some(pool) = store.pool_status() {
        for (state, value) in [
            ("size", pool.size),
            ("idle", pool.idle),
            ("waiting", pool.waiting),
        ] {
            metrics::gauge!("org_invitations_postgres_pool_connections", "state" => state)
                .set(value as f64);
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
}
