//! The token check in front of every API route: `Authorization: Bearer <token>` (scripts,
//! embedding hosts) or the `cli_token` cookie (the Anyscale CLI, and browsers signed in through
//! the start-up URL).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;
use crate::state::Site;

pub const TOKEN_COOKIE: &str = "cli_token";

pub async fn require_token(
    State(site): State<Site>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if presented_tokens(request.headers()).any(|presented| site.token.matches(presented)) {
        Ok(next.run(request).await)
    } else {
        Err(ApiError::unauthorized())
    }
}

/// Every token the request carries, bearer first.
fn presented_tokens(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    let bearer = headers
        .get_all(header::AUTHORIZATION)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let cookies = headers
        .get_all(header::COOKIE)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value.trim_matches('"'));
    bearer.chain(cookies)
}

/// The `Set-Cookie` value that signs a browser in: not readable by scripts, never sent by
/// other sites, gone when the browser session ends.
pub fn session_cookie(token: &str) -> String {
    format!("{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_bearer_and_cookie_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sss_one"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; cli_token=sss_two"),
        );
        assert_eq!(
            presented_tokens(&headers).collect::<Vec<_>>(),
            ["sss_one", "sss_two"]
        );
    }

    #[test]
    fn ignores_other_schemes_and_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic c3NzX29uZQ=="),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("my_cli_token=sss_x"),
        );
        assert_eq!(presented_tokens(&headers).count(), 0);
    }
}
