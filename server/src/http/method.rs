//! Request methods: the server knows the standard ones, and no other reaches a route, a log
//! field or a metric label. hyper accepts any token as a method (up to its head buffer), so an
//! extension method is answered 405 with the error body at the outermost layer (a 4xx, as for
//! any request the client got wrong: no probe sees a server error), and everything that
//! records a method records one of a fixed set.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::telemetry::method_label;
use crate::unread::answer_stranger;

/// Outermost but for the request log: a method that is no standard one (an extension method;
/// see [`method_label`]) is 405, whatever the path, as a standard one that a route does not
/// take is.
pub async fn refuse_unknown(request: Request, next: Next) -> Response {
    if method_label(request.method()) == "other" {
        let refused = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed: this server knows GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE and CONNECT",
        );
        return answer_stranger(request, refused.into_response()).await;
    }
    next.run(request).await
}
