//! Refusals that need nothing but the request line and headers: a target, headers or a
//! declared body over the limits is answered at once, with the error body, before anything
//! waits for the rest.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use futures_util::StreamExt;

use crate::error::ApiError;
use crate::limits::{MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES};
use crate::serve::BodyDeadline;

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let Some(refusal) = oversized(&request) else {
        return next.run(request).await;
    };
    // A client still sending a body it announced would see its connection reset before it
    // could read the answer: a body of modest size is read and dropped first. A huge one is
    // answered at once, and the connection closed.
    if declared_length(&request).is_some_and(|length| length <= DRAIN_LIMIT_BYTES) {
        let deadline = BodyDeadline::of(&request);
        let body = request.into_body().into_data_stream();
        let _ = tokio::time::timeout(deadline, body.for_each(|_| async {})).await;
    }
    refusal.into_response()
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
