//! The console's page, and signing in and out. Opening `/?token=…` (or
//! `/index.html?token=…`), the URL printed at start-up, starts a session, sets its cookie and
//! redirects to `/`, so the token leaves the address bar and history and never becomes a
//! cookie. `POST /api/console/sign-out` ends the session.

use axum::Json;
use std::net::IpAddr;

use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};

use crate::auth::credentials::{Credential, over_https, presented_credentials};
use crate::auth::session_cookie::{cleared_session_cookies, session_cookie};
use crate::client_address::address_of;
use crate::console_files::accepted_encoding;
use crate::error::ApiError;
use crate::state::Site;

pub async fn index(
    State(state): State<Site>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let tokens = sign_in_tokens(query.as_deref().unwrap_or(""));
    if !tokens.is_empty() {
        return sign_in(&state, &headers, address_of(&request), &tokens).await;
    }
    // The page, precompressed as the build wrote it when the browser accepts that.
    let files = &state.console_files;
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepted_encoding(&headers, &[encoding]).is_none() {
            continue;
        }
        if let Some(page) = files.read(&format!("index.html.{suffix}")).await {
            return (
                [
                    (header::CACHE_CONTROL, "no-cache"),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_ENCODING, encoding),
                    (header::VARY, "accept-encoding"),
                ],
                page,
            )
                .into_response();
        }
    }
    match files.read("index.html").await {
        Some(page) => (
            [
                (header::CACHE_CONTROL, "no-cache"),
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::VARY, "accept-encoding"),
            ],
            page,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The console is not built in {}: run `cargo xtask build`.",
                files.describe()
            ),
        )
            .into_response(),
    }
}

/// The sign-in link is a way to present the owner token like any other: a wrong one counts
/// toward the client's failure limit, and a client that is refused gets no session, right
/// token or not. A session it replaces (the browser's earlier one) ends, and the redirect is
/// never stored by a cache.
async fn sign_in(
    state: &Site,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    tokens: &[String],
) -> Response {
    let client = match state.client_of(peer, headers) {
        Ok(client) => client,
        Err(unreadable) => return ApiError::from(unreadable).into_response(),
    };
    if let Some(client) = client
        && let Err(too_many) = state.limits.blocked(client)
    {
        return too_many.into_response();
    }
    let refused = match tokens {
        [token] if state.token.matches(token) => None,
        [_] => Some(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "This sign-in link is not valid for this server. Use the URL the server printed when it started.",
        )),
        _ => Some(ApiError::bad_request(
            "This sign-in link holds more than one token. Use the URL the server printed when it started.",
        )),
    };
    if let Some(refused) = refused {
        if let Some(client) = client
            && let Err(too_many) = state.limits.failed(client)
        {
            return too_many.into_response();
        }
        return refused.into_response();
    }
    for credential in presented_credentials(headers) {
        if let Credential::Session(earlier) = credential
            && let Err(err) = state.store.revoke_session(earlier).await
        {
            return ApiError::from(err).into_response();
        }
    }
    let session = match state
        .store
        .create_session(chrono::Utc::now(), state.token.generation())
        .await
    {
        Ok(session) => session,
        Err(err) => return ApiError::from(err).into_response(),
    };
    (
        [
            (
                header::SET_COOKIE,
                session_cookie(&session, over_https(headers)),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Redirect::to("/"),
    )
        .into_response()
}

/// Every `token` in a query string, decoded; other parameters (the list's view) are left alone.
fn sign_in_tokens(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "token")
        .map(|(_, token)| token.into_owned())
        .collect()
}

/// Ends the browser's session and makes it forget the cookie. A caller signed in otherwise (a
/// token) has no session to end; the answer is the same.
#[utoipa::path(
    post,
    path = "/api/console/sign-out",
    tag = "extensions",
    responses((status = 200, description = "Signed out; the session cookies are cleared", body = Object)),
)]
pub async fn sign_out(State(state): State<Site>, headers: HeaderMap) -> Result<Response, ApiError> {
    for credential in presented_credentials(&headers) {
        if let Credential::Session(id) = credential {
            state.store.revoke_session(id).await?;
        }
    }
    let [plain, secure] = cleared_session_cookies();
    Ok((
        AppendHeaders([(header::SET_COOKIE, plain), (header::SET_COOKIE, secure)]),
        Json(serde_json::json!({})),
    )
        .into_response())
}
