//! A request's body, for the layers that answer without using it: how long it may take to
//! arrive ([`BodyDeadline`], set by the connection loop), and how much of it is read and
//! dropped so that its sender can read a refusal. On the ground floor: the HTTP layers and the
//! credential check both refuse requests this way.

use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use futures_util::StreamExt;

use crate::limits::{BODY_TIMEOUT, STRANGER_DRAIN_BYTES, STRANGER_DRAIN_WAIT};

/// How long a request body may take to arrive, carried by each request for whoever reads it.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

impl BodyDeadline {
    /// The deadline `request` carries; the default one for requests that did not come through
    /// [`serve`] (in-process tests).
    pub fn of<B>(request: &axum::http::Request<B>) -> Duration {
        request
            .extensions()
            .get::<Self>()
            .map_or(BODY_TIMEOUT, |Self(deadline)| *deadline)
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

/// The body's length as `Content-Length` declares it.
pub fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .and_then(|length| length.trim().parse::<u64>().ok())
}
