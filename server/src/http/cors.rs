//! Cross-origin access to the API, for host pages on other origins: an explicit allow-list,
//! none by default. Such pages send a bearer token; cookies are never accepted cross-origin.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// An `--allow-origin` that is not an origin.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid --allow-origin {0:?}: an origin is scheme, host and optional port, as https://admin.example.com"
)]
pub struct BadOrigin(pub String);

/// `https://admin.example.com` or `http://127.0.0.1:8081`: what a browser sends as `Origin`.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, BadOrigin> {
    let bad = || BadOrigin(origin.to_owned());
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let valid_host = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid_host {
        return Err(bad());
    }
    HeaderValue::from_str(origin).map_err(|_| bad())
}

/// The layer for the API routes; `None` when no origin is allowed (no CORS headers at all).
pub fn layer(allowed: &[HeaderValue]) -> Option<CorsLayer> {
    if allowed.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed.iter().cloned()))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([
                HeaderName::from_static("x-trace-id"),
                HeaderName::from_static("x-request-id"),
                // A page on another origin must read how long a 429 asks it to wait.
                header::RETRY_AFTER,
            ])
            .max_age(Duration::from_secs(600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_origins_and_refuses_urls_with_more() {
        for good in [
            "https://admin.example.com",
            "http://127.0.0.1:8081",
            "http://[::1]:3000",
        ] {
            assert!(parse_origin(good).is_ok(), "{good}");
        }
        for bad in [
            "admin.example.com",
            "https://admin.example.com/",
            "https://x.com/path",
            "ftp://x.com",
            "https://",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
