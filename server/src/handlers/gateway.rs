//! Gateway mode: every API request that passed this server's own token check is forwarded to
//! the upstream invitation API with the upstream's token. Status codes and error bodies come
//! back as the upstream sent them.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::limits::MAX_BODY_BYTES;
use crate::state::GatewayState;
use crate::upstream::Upstream;

/// Headers passed back from the upstream; everything else (cookies above all) stays behind.
const PASSED_BACK: [header::HeaderName; 2] = [
    header::CONTENT_TYPE,
    header::HeaderName::from_static("x-trace-id"),
];

pub async fn forward(
    State(state): State<GatewayState>,
    request: Request,
) -> Result<Response, ApiError> {
    let upstream = &state.upstream;
    let path = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str())
        .unwrap_or("/")
        .to_owned();
    let method = request.method().clone();
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"))?;

    let answer = upstream
        .send(method, &path, content_type, body)
        .await
        .map_err(|err| unreachable_upstream(upstream, &err))?;
    let status = answer.status();
    let passed: Vec<_> = PASSED_BACK
        .iter()
        .filter_map(|name| Some((name.clone(), answer.headers().get(name)?.clone())))
        .collect();
    let bytes = answer
        .bytes()
        .await
        .map_err(|err| unreachable_upstream(upstream, &err))?;
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().extend(passed);
    Ok(response)
}

fn unreachable_upstream(upstream: &Upstream, err: &reqwest::Error) -> ApiError {
    // The cause goes to the log (the URL carries no secret); the browser gets a plain reason.
    tracing::warn!(upstream = %upstream.base(), error = %err, "upstream request failed");
    if err.is_timeout() {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "The upstream invitation API did not answer in time",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "The upstream invitation API is unreachable",
        )
    }
}
