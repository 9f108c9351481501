//! Gateway mode: API requests that passed this server's own token check are forwarded to the
//! upstream invitation API with the upstream's token. Only the endpoints of the contract are
//! forwarded, each with its own methods, so no path a client writes can reach anything else
//! on the upstream with its credential. The caller's role is checked here, and every change
//! is on the audit trail before it leaves, completed with the upstream's answer. Status codes
//! and error bodies come back as the upstream sent them.

use super::audit_trail;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::permit::{caller, check, target_id};
use crate::error::ApiError;
use crate::gateway::upstream::Upstream;
use crate::limits::{MAX_BODY_BYTES, MAX_UPSTREAM_REPLY_BYTES};
use crate::state::GatewayMode;
use crate::store::audit::{Action, Entry};
use org_invitations_core::role::Role;

/// Headers passed back from the upstream; everything else (cookies above all) stays behind.
const PASSED_BACK: [header::HeaderName; 3] = [
    header::CONTENT_TYPE,
    header::HeaderName::from_static("x-trace-id"),
    // The upstream's word on when to come back, with its 429 or 503.
    header::RETRY_AFTER,
];

pub async fn forward(
    State(state): State<GatewayMode>,
    request: Request,
) -> Result<Response, ApiError> {
    let upstream = &state.upstream;
    let path = request.uri().path().to_owned();
    let methods =
        forwarded_methods(&path).ok_or_else(|| ApiError::not_found("No such API endpoint"))?;
    let method = request.method().clone();
    if !methods.contains(&method) {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed for this endpoint",
        ));
    }
    let (request, who) = {
        let (parts, body) = request.into_parts();
        let (identity, who) = caller(&parts)?;
        let change = change_of(&method, &path);
        let required = match change {
            Some(Action::Invalidate) => Role::Admin,
            Some(_) => Role::Inviter,
            None => Role::Viewer,
        };
        check(&state.site, &identity, &who, required, target_id(&path)).await?;
        (
            Request::from_parts(parts, body),
            change.map(|action| (action, who)),
        )
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    // Already in memory: `request_size::buffer_body` read it within its deadline and limit.
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"))?;

    // A change is on record before it leaves, without an outcome; the answer completes it.
    let pending = match &who {
        Some((action, who)) => {
            let entries = audit_trail::intended(*action, &path, &body);
            let numbers = state
                .site
                .store
                .record(chrono::Utc::now(), who, &entries)
                .await
                .map_err(ApiError::unrecorded)?;
            Some((
                *action,
                numbers.into_iter().zip(entries).collect::<Vec<_>>(),
            ))
        }
        None => None,
    };
    let complete = |outcomes: Vec<(i64, Entry)>| {
        let store = state.site.store.clone();
        async move {
            if let Err(err) = store.complete(&outcomes).await {
                tracing::error!(error = %err, "cannot complete audit records");
            }
        }
    };

    // Whatever keeps the answer from being read whole (no answer, one too large, one cut
    // short), the upstream may have made the change: the records say the outcome is unknown.
    let answered = answer_of(upstream, method, &path, &path_and_query, content_type, body).await;
    let (status, passed, bytes) = match answered {
        Ok(answered) => answered,
        Err(err) => {
            if let Some((_, records)) = pending {
                complete(audit_trail::unknown(records)).await;
            }
            return Err(err);
        }
    };
    if let Some((action, records)) = pending {
        complete(audit_trail::outcomes(action, records, status, &bytes)).await;
    }
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().extend(passed);
    Ok(response)
}

/// The upstream's answer to one request, read whole: its status, the headers passed back,
/// and its body (at most [`MAX_UPSTREAM_REPLY_BYTES`]).
async fn answer_of(
    upstream: &Upstream,
    method: Method,
    path: &str,
    path_and_query: &str,
    content_type: Option<header::HeaderValue>,
    body: axum::body::Bytes,
) -> Result<
    (
        StatusCode,
        Vec<(header::HeaderName, header::HeaderValue)>,
        Vec<u8>,
    ),
    ApiError,
> {
    let mut answer = upstream
        .send(method, path_and_query, content_type, body)
        .await
        .map_err(|err| unreachable_upstream(upstream, path, err))?;
    let status = answer.status();
    let passed: Vec<_> = PASSED_BACK
        .iter()
        .filter_map(|name| Some((name.clone(), answer.headers().get(name)?.clone())))
        .collect();
    let too_large = || {
        tracing::warn!(path = %crate::logged::cut(path), "upstream answer over the size limit");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!(
                "The upstream invitation API answered with more than {} MiB",
                MAX_UPSTREAM_REPLY_BYTES / (1024 * 1024)
            ),
        )
    };
    if answer
        .content_length()
        .is_some_and(|length| length > MAX_UPSTREAM_REPLY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|err| unreachable_upstream(upstream, path, err))?
    {
        if bytes.len() + chunk.len() > MAX_UPSTREAM_REPLY_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((status, passed, bytes))
}

/// Which change, if any, a forwarded request makes.
fn change_of(method: &Method, path: &str) -> Option<Action> {
    if *method != Method::POST {
        return None;
    }
    match path {
        "/api/v2/organization_invitations/" | "/api/v2/organization_invitations/batch_create" => {
            Some(Action::Create)
        }
        _ if path.ends_with("/invalidate") => Some(Action::Invalidate),
        _ => None,
    }
}

/// The methods the contract has for `path`, or `None` when it is no endpoint of the contract.
/// Ids are letters, digits, `_` and `-`, so no dot segment, raw or percent-encoded, passes.
fn forwarded_methods(path: &str) -> Option<&'static [Method]> {
    const GET: &[Method] = &[Method::GET];
    const POST: &[Method] = &[Method::POST];
    const GET_POST: &[Method] = &[Method::GET, Method::POST];
    let rest = path.strip_prefix("/api/v2/")?;
    match rest {
        "userinfo/" => Some(GET),
        "organization_invitations/" => Some(GET_POST),
        "organization_invitations/batch_create" => Some(POST),
        "cli_usage/" => Some(POST),
        _ => match rest
            .strip_prefix("organization_invitations/")?
            .split_once('/')
        {
            None if is_id(rest.strip_prefix("organization_invitations/")?) => Some(GET),
            Some((id, "invalidate")) if is_id(id) => Some(POST),
            _ => None,
        },
    }
}

fn is_id(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 128
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn unreachable_upstream(upstream: &Upstream, path: &str, err: reqwest::Error) -> ApiError {
    // The log gets the path alone: the query can hold addresses, and the upstream URL its
    // credentials. The browser gets a plain reason.
    let timed_out = err.is_timeout();
    let cause = err.without_url();
    tracing::warn!(upstream = %upstream.redacted_base(), path = %crate::logged::cut(&path), error = %cause, "upstream request failed");
    if timed_out {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_contracts_endpoints_are_forwarded() {
        for (path, methods) in [
            ("/api/v2/userinfo/", GET_ONLY),
            (
                "/api/v2/organization_invitations/",
                &[Method::GET, Method::POST][..],
            ),
            ("/api/v2/organization_invitations/batch_create", POST_ONLY),
            ("/api/v2/organization_invitations/orginv_abc123", GET_ONLY),
            (
                "/api/v2/organization_invitations/orginv_abc123/invalidate",
                POST_ONLY,
            ),
            ("/api/v2/cli_usage/", POST_ONLY),
        ] {
            assert_eq!(forwarded_methods(path), Some(methods), "{path}");
        }
        for path in [
            "/api/../../admin/secret",
            "/api/%2e%2e/%2e%2e/admin/secret",
            "/api/v2/organization_invitations/../../../admin",
            "/api/v2/organization_invitations/%2e%2e/invalidate",
            "/api/v2/organization_invitations/a/b",
            "/api/v2/organization_invitations/orginv_x/invalidate/more",
            "/api/v2/organization_invitations/.",
            "/api/v2/admin/",
            "/api/",
            "/admin/secret",
        ] {
            assert_eq!(forwarded_methods(path), None, "{path}");
        }
    }

    const GET_ONLY: &[Method] = &[Method::GET];
    const POST_ONLY: &[Method] = &[Method::POST];
}
