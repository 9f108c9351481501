//! One structured log line per request, with its id, and the request's metrics. Only the path
//! is logged: query strings can carry the sign-in token, and headers carry it always. Nothing
//! a client sends is logged or labelled unbounded: the method is one of a fixed set
//! (`crate::telemetry::method_label`), the path and the actor are cut (`crate::logged::cut`). The
//! line also names the route template the request matched, who made it (once known) and the
//! client's address; in `--log-format json` each is a field of its own.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::client_address::address_of;
use crate::handlers::invitee;
use crate::handlers::probes::{HEALTH_PATH, READY_PATH};
use crate::telemetry::{self, LoggedActor, RequestId};

/// The route template the request matched, carried out on the answer for the log and the
/// metrics (the raw path would give every id a series of its own).
#[derive(Debug, Clone)]
struct LoggedRoute(String);

/// Inside the router (a route layer, so after matching): notes the matched route on the
/// answer.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(LoggedRoute(route));
    }
    response
}

pub async fn log_request(mut request: Request, next: Next) -> Response {
    let method = telemetry::method_label(request.method());
    // An invitation link's path is its token: never logged.
    let path = match request.uri().path() {
        path if path.starts_with(invitee::PREFIX) => format!("{}…", invitee::PREFIX),
        path => crate::logged::cut(path).into_owned(),
    };
    let client = address_of(&request).map(|address| address.to_string());
    let started = Instant::now();
    let id = crate::ids::request_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let in_flight = telemetry::InFlight::start();
    let mut response = next.run(request).await;
    drop(in_flight);
    if let Ok(value) = axum::http::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let took = started.elapsed();
    let status = response.status().as_u16();
    // Files of the console are not routes: they share one name.
    let route = response
        .extensions()
        .get::<LoggedRoute>()
        .map_or("(files)", |LoggedRoute(route)| route.as_str())
        .to_owned();
    let actor = response
        .extensions()
        .get::<LoggedActor>()
        .map(|LoggedActor(actor)| crate::logged::cut(actor).into_owned());
    telemetry::request(&route, method, status, took);
    macro_rules! log {
        ($level:ident) => {
            tracing::$level!(
                request_id = %id,
                method = %method,
                route = %route,
                path = %path,
                status,
                latency_ms = format_args!("{:.3}", took.as_secs_f64() * 1000.0),
                actor = actor.as_deref(),
                client = client.as_deref(),
                "request"
            )
        };
    }
    // A load balancer probes every few seconds: its requests would drown the others.
    if path == HEALTH_PATH || path == READY_PATH {
        log!(debug);
    } else {
        log!(info);
    }
    response
}
