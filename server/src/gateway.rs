//! Gateway mode: every API request that passed this server's own token check is forwarded to
//! the upstream invitation API with the upstream's token, which never reaches a browser.
//! Status codes and error bodies come back as the upstream sent them.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::GatewayState;
use crate::token::ApiToken;

/// How long the upstream may take to answer one request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Headers passed back from the upstream; everything else (cookies above all) stays behind.
const PASSED_BACK: [header::HeaderName; 1] = [header::CONTENT_TYPE];

#[derive(Clone)]
pub struct Upstream {
    /// Without a trailing slash.
    base: String,
    token: ApiToken,
    client: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream URL must start with http:// or https://: {0}")]
    BadUrl(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

impl Upstream {
    pub fn new(base: &str, token: ApiToken) -> Result<Self, UpstreamError> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(UpstreamError::BadUrl(base.to_owned()));
        }
        let client = reqwest::Client::builder()
            .timeout(UPSTREAM_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "org-invitations-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self {
            base: base.to_owned(),
            token,
            client,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }
}

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
    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
        .map_err(|_| ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"))?;
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body = axum::body::to_bytes(request.into_body(), crate::routes::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"))?;

    // The browser's own credentials stay here; the upstream gets the gateway's, as the
    // Anyscale CLI sends them.
    let mut outgoing = upstream
        .client
        .request(method, format!("{}{path}", upstream.base))
        .header(
            header::COOKIE.as_str(),
            format!("cli_token={}", upstream.token.reveal()),
        )
        .header(header::ACCEPT.as_str(), "application/json")
        .body(body);
    if let Some(content_type) = content_type {
        outgoing = outgoing.header(header::CONTENT_TYPE.as_str(), content_type.as_bytes());
    }
    let answer = outgoing
        .send()
        .await
        .map_err(|err| unreachable_upstream(upstream, &err))?;

    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut passed = Vec::new();
    for name in PASSED_BACK
        .iter()
        .chain(std::iter::once(&header::HeaderName::from_static(
            "x-trace-id",
        )))
    {
        if let Some(value) = answer
            .headers()
            .get(name.as_str())
            .and_then(|value| HeaderValue::from_bytes(value.as_bytes()).ok())
        {
            passed.push((name.clone(), value));
        }
    }
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
    tracing::warn!(upstream = %upstream.base, error = %err, "upstream request failed");
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
