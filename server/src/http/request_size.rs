//! How much a request may carry. Refusals that need nothing but the request line and
//! headers: a target, headers or a declared body over the limits is answered at once, with the
//! error body, before anything waits for the rest; and the body itself, read whole within its
//! deadline and limit before anything else looks at the request.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::limits::{
    DRAIN_LIMIT_BYTES, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES,
};
use crate::unread::{BodyDeadline, answer_unread, declared_length};

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    match oversized(&request) {
        Some(refusal) => {
            answer_unread(request, refusal.into_response(), DRAIN_LIMIT_BYTES, None).await
        }
        None => next.run(request).await,
    }
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
