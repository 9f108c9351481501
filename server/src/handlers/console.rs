//! The console's page. Opening `/?token=…` (or `/index.html?token=…`), the URL printed at
//! start-up, signs the browser in with a session cookie and redirects to `/`, so the token
//! leaves the address bar and history.

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::auth::session_cookie;
use crate::error::ApiError;
use crate::state::Site;

pub async fn index(State(state): State<Site>, RawQuery(query): RawQuery) -> Response {
    let tokens = sign_in_tokens(query.as_deref().unwrap_or(""));
    match tokens.as_slice() {
        [] => {}
        [token] if state.token.matches(token) => {
            return (
                [(header::SET_COOKIE, session_cookie(token))],
                Redirect::to("/"),
            )
                .into_response();
        }
        [_] => {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "This sign-in link is not valid for this server. Use the URL the server printed when it started.",
            )
            .into_response();
        }
        _ => {
            return ApiError::bad_request(
                "This sign-in link holds more than one token. Use the URL the server printed when it started.",
            )
            .into_response();
        }
    }
    match tokio::fs::read_to_string(state.dist_dir.join("index.html")).await {
        Ok(page) => ([(header::CACHE_CONTROL, "no-cache")], Html(page)).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The console is not built in {}: run `cargo xtask build`.",
                state.dist_dir.display()
            ),
        )
            .into_response(),
    }
}

/// Every `token` in a query string, decoded; other parameters (the list's view) are left alone.
fn sign_in_tokens(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "token")
        .map(|(_, token)| token.into_owned())
        .collect()
}
