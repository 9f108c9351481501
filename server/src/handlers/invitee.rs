//! The page an invitation's link opens, for the person invited (not the admin console). A GET
//! or HEAD changes nothing (link scanners fetch every link in a mail); only the page's own
//! form, posted back to the link from the same origin with the page's form token, accepts or
//! declines. A token no mail carried counts toward the client's failure limit like any other
//! wrong credential, and a token is never logged (the request log writes this path without
//! it) nor sent on (`Referrer-Policy: no-referrer`, on every page of this server).

pub mod page;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::accept_ticket::{AcceptRedirect, Accepted};
use crate::auth::cross_site::refuse_cross_site;
use crate::state::StoreMode;
use crate::store::answers::{Answer, Invitee, Linked, Standing};
use crate::store::sha256_hex;
use crate::telemetry::RequestId;
use page::Shown;

/// Where links lead; the request log writes any path under it as this prefix alone.
pub const PREFIX: &str = "/invitation/";

/// What the page's form posts.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    answer: String,
    form: String,
}

/// The form token of the page a link opens: a second proof, beside the same-origin check,
/// that an answer was posted by this page (derived from the token, so nothing is stored).
fn form_token(token: &str) -> String {
    sha256_hex(&format!("answer-form:{token}"))[..32].to_owned()
}

/// A link's token as mail carries it: 64 hexadecimal digits.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|byte| byte.is_ascii_hexdigit())
}

pub async fn show(
    State(state): State<StoreMode>,
    Path(token): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Response {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().copied();
    let linked = match find(&state, &token, peer, &headers).await {
        Ok(linked) => linked,
        Err(refused) => return refused,
    };
    let whom = whom(&state, &linked);
    let shown = match closed(&linked) {
        Some(closed) => closed_page(closed, &whom),
        None => {
            let form = form_token(&token);
            return answer_page(
                StatusCode::OK,
                &linked.locale,
                &Shown::Question {
                    organization: &state.organization_name,
                    inviter: linked.inviter.as_deref(),
                    address: &linked.email,
                    expires_at: linked.expires_at,
                    form_token: &form,
                },
            );
        }
    };
    answer_page(StatusCode::OK, &linked.locale, &shown)
}

pub async fn answer(
    State(state): State<StoreMode>,
    Path(token): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Response {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().copied();
    let linked = match find(&state, &token, peer, &headers).await {
        Ok(linked) => linked,
        Err(refused) => return refused,
    };
    let from_this_page =
        refuse_cross_site(&headers, &[]).is_ok() && form.form == form_token(&token);
    let answer = match form.answer.as_str() {
        "accept" => Answer::Accept,
        "decline" => Answer::Decline,
        _ => {
            return answer_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &linked.locale,
                &Shown::Refused,
            );
        }
    };
    if !from_this_page {
        return answer_page(StatusCode::FORBIDDEN, &linked.locale, &Shown::Refused);
    }
    let whom = whom(&state, &linked);
    if let Some(closed) = closed(&linked) {
        return answer_page(
            StatusCode::CONFLICT,
            &linked.locale,
            &closed_page(closed, &whom),
        );
    }
    let invitee = Invitee {
        email: linked.email.clone(),
        request_id: extensions
            .get::<RequestId>()
            .map(|RequestId(id)| id.clone())
            .unwrap_or_default(),
        client: client_of(&state, peer, &headers),
    };
    match state
        .store
        .answer_invitation(&token, answer, Utc::now(), &invitee)
        .await
    {
        Ok(Some(after)) => {
            if let (Standing::Accepted, Some(redirect)) = (after.standing, &state.accept_redirect) {
                return sent_on(&state, redirect, &after, &headers);
            }
            let shown = match after.standing {
                Standing::Accepted => Shown::Accepted(&state.organization_name),
                Standing::Declined => Shown::Declined,
                _ => {
                    let shown =
                        closed(&after).map_or(Shown::Unknown, |closed| closed_page(closed, &whom));
                    return answer_page(StatusCode::CONFLICT, &after.locale, &shown);
                }
            };
            answer_page(StatusCode::OK, &after.locale, &shown)
        }
        Ok(None) => answer_page(StatusCode::NOT_FOUND, &linked.locale, &Shown::Unknown),
        Err(err) => crate::error::ApiError::from(err).into_response(),
    }
}

/// The invitation a link names, or the answer for a client that may not ask or a link no
/// mail carried (counted as a failure).
async fn find(
    state: &StoreMode,
    token: &str,
    peer: Option<ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
) -> Result<Linked, Response> {
    // Behind a proxy that names no readable client, refused as every other path refuses it
    // (never left without a failure limit).
    let peer = peer.map(|ConnectInfo(peer)| peer.ip());
    let client = state
        .site
        .client_of(peer, headers)
        .map_err(|unreadable| crate::error::ApiError::from(unreadable).into_response())?;
    let too_many = || answer_page(StatusCode::TOO_MANY_REQUESTS, "en", &Shown::TooMany);
    if let Some(client) = client
        && state.site.limits.blocked(client).is_err()
    {
        return Err(too_many());
    }
    let found = if well_formed(token) {
        state
            .store
            .invitation_by_link(token)
            .await
            .map_err(|err| crate::error::ApiError::from(err).into_response())?
    } else {
        None
    };
    match found {
        Some(linked) => Ok(linked),
        None => {
            if let Some(client) = client
                && state.site.limits.failed(client).is_err()
            {
                return Err(too_many());
            }
            Err(answer_page(StatusCode::NOT_FOUND, "en", &Shown::Unknown))
        }
    }
}

/// The client's address as the audit trail records it: the one behind a trusted proxy, else
/// the peer (`find` has refused an unreadable one already).
fn client_of(
    state: &StoreMode,
    peer: Option<ConnectInfo<SocketAddr>>,
    headers: &HeaderMap,
) -> Option<String> {
    let peer = peer.map(|ConnectInfo(peer)| peer.ip());
    let client = state.site.client_of(peer, headers).ok().flatten().or(peer);
    client.map(|client| client.to_string())
}

/// Whom to ask for a new invitation: who invited, else the organization.
fn whom(state: &StoreMode, linked: &Linked) -> String {
    linked
        .inviter
        .clone()
        .unwrap_or_else(|| state.organization_name.to_string())
}

/// Why an invitation can no longer be answered.
#[derive(Debug, Clone, Copy)]
enum Closed {
    Accepted,
    Declined,
    Withdrawn,
    Replaced,
    Expired(chrono::DateTime<Utc>),
}

/// Why `linked` can no longer be answered; `None` while it can.
fn closed(linked: &Linked) -> Option<Closed> {
    Some(match linked.standing {
        Standing::Open if linked.expires_at > Utc::now() => return None,
        Standing::Open => Closed::Expired(linked.expires_at),
        Standing::Accepted => Closed::Accepted,
        Standing::Declined => Closed::Declined,
        Standing::Revoked => Closed::Withdrawn,
        Standing::Superseded => Closed::Replaced,
    })
}

/// What the page says of an invitation closed so, naming `whom` to ask.
fn closed_page(closed: Closed, whom: &str) -> Shown<'_> {
    match closed {
        Closed::Accepted => Shown::AlreadyAccepted,
        Closed::Declined => Shown::AlreadyDeclined,
        Closed::Withdrawn => Shown::Withdrawn { whom },
        Closed::Replaced => Shown::Replaced { whom },
        Closed::Expired(expires_at) => Shown::Expired { expires_at, whom },
    }
}

/// The accepted page that sends the person on to the host application: a button posting the
/// signed ticket there, under a policy that lets this page's form post to that origin only.
fn sent_on(
    state: &StoreMode,
    redirect: &AcceptRedirect,
    after: &Linked,
    headers: &HeaderMap,
) -> Response {
    let accepted = Accepted {
        invitation_id: &after.id,
        email: &after.email,
        organization_id: state.store.organization_id(),
        organization_name: &state.organization_name,
    };
    let signed = match redirect.ticket(&state.link_origin_for(headers), &accepted, Utc::now()) {
        Ok(signed) => signed,
        Err(err) => {
            // Accepted all the same: the page says so, without the way on.
            tracing::error!(error = %err, "cannot sign the accept ticket");
            let shown = Shown::Accepted(&state.organization_name);
            return answer_page(StatusCode::OK, &after.locale, &shown);
        }
    };
    let shown = Shown::AcceptedGoOn {
        organization: &state.organization_name,
        to: redirect.url.as_str(),
        ticket: &signed,
    };
    let policy = crate::content_policy::posting_also_to(&redirect.audience());
    let mut response = answer_page(StatusCode::OK, &after.locale, &shown);
    if let Ok(policy) = axum::http::HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

fn answer_page(status: StatusCode, locale: &str, shown: &Shown<'_>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page::render(locale, shown),
    )
        .into_response()
}
