//! Refusals that need nothing but the request line and headers: a target, headers or a
//! declared body over the limits is answered at once, with the error body, before anything
//! waits for the rest.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::limits::{MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES};

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    match oversized(&request) {
        Some(refusal) => refusal.into_response(),
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
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .and_then(|length| length.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Some(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Request body is too large: at most {} KiB",
                MAX_BODY_BYTES / 1024
            ),
        ));
    }
    None
}
