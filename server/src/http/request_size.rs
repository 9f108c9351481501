//! How much a request may carry. Refusals that need nothing but the request line and
//! headers: a target, headers or a declared body over the limits is answered at once, with the
//! error body, before anything waits for the rest; and the body itself, read whole within its
//! deadline and limit before anything else looks at the request.

use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use futures_util::StreamExt;

use crate::http::error::ApiError;
use crate::http::serve::BodyDeadline;
use crate::limits::{
    MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES, STRANGER_DRAIN_BYTES,
    STRANGER_DRAIN_WAIT,
};

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    match oversized(&request) {
        Some(refusal) => {
            answer_unread(request, refusal.into_response(), DRAIN_LIMIT_BYTES, None).await
        }
        None => next.run(request).await,
    }
}

/// Answers `request` with `answer` without using it. A client still sending a body would see
/// its connection reset before it could read the answer, so a body of at most `drain_limit`
/// bytes is read and dropped first (within the body deadline, or `wait` if shorter); a larger
/// one is answered at once, and the connection closed.
pub async fn answer_unread(
    request: Request,
    mut answer: Response,
    drain_limit: u64,
    wait: Option<Duration>,
) -> Response {
    let modest = declared_length(&request).is_none_or(|length| length <= drain_limit);
    if modest {
        let deadline = BodyDeadline::of(&request).min(wait.unwrap_or(Duration::MAX));
        let body = request.into_body().into_data_stream();
        let bounded = body.take_while({
            let mut read = 0u64;
            move |chunk| {
                read += chunk.as_ref().map_or(0, |bytes| bytes.len() as u64);
                std::future::ready(read <= drain_limit)
            }
        });
        let _ = tokio::time::timeout(deadline, bounded.for_each(|_| async {})).await;
    } else {
        answer.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    answer
}

/// Answers a request refused before anyone knows who sent it, reading at most
/// [`STRANGER_DRAIN_BYTES`] of its body: a stranger costs a small, bounded amount.
pub async fn answer_stranger(request: Request, answer: Response) -> Response {
    answer_unread(
        request,
        answer,
        STRANGER_DRAIN_BYTES,
        Some(STRANGER_DRAIN_WAIT),
    )
    .await
}

/// The most of an oversized body that is read (and dropped) so its sender can read the 413.
const DRAIN_LIMIT_BYTES: u64 = 4 * 1024 * 1024;

fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .and_then(|length| length.trim().parse::<u64>().ok())
}

fn oversized(request: &Request) -> Option<ApiError> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("The request target is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Some(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "The request headers are too large: at most {MAX_HEADERS} headers and {} KiB",
                MAX_HEADER_BYTES / 1024
            ),
        ));
    }
    if declared_length(request).is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        // The same words as a body found too large while reading it.
        return Some(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body is too large",
        ));
    }
    None
}

/// Reads an API request's whole body (within its deadline and the size limit) before anything
/// else looks at the request: a refusal, whatever refuses, then never leaves unread bytes that
/// would make the connection reset under the client before it reads the answer.
pub async fn buffer_body(request: Request, next: Next) -> Response {
    let deadline = BodyDeadline::of(&request);
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(deadline, axum::body::to_bytes(body, MAX_BODY_BYTES)).await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
            .into_response(),
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "The request body did not arrive within {} seconds",
                deadline.as_secs()
            ),
        )
        .into_response(),
    }
}
