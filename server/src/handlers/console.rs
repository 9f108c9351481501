//! The console's page. Opening `/?token=…` (the URL printed at start-up) signs the browser in
//! with a session cookie and redirects to `/`, so the token leaves the address bar and history.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::session_cookie;
use crate::state::Site;

#[derive(Deserialize)]
pub struct SignIn {
    token: Option<String>,
}

pub async fn index(State(state): State<Site>, Query(sign_in): Query<SignIn>) -> Response {
    if let Some(token) = sign_in.token {
        return if state.token.matches(&token) {
            (
                [(header::SET_COOKIE, session_cookie(&token))],
                Redirect::to("/"),
            )
                .into_response()
        } else {
            (StatusCode::UNAUTHORIZED, "This sign-in link is not valid for this server. Use the URL the server printed when it started.")
                .into_response()
        };
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
