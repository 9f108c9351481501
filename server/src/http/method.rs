//! Request methods: the server knows the standard ones, and no other reaches a route, a log
//! field or a metric label. hyper accepts any token as a method (up to its head buffer), so an
//! unknown method is answered 501 with the error body at the outermost layer, and everything
//! that records a method records one of a fixed set.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::http::request_size::answer_stranger;

/// The methods this server answers (some with 405 where a route does not take them).
const KNOWN: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];

/// `method` as a metric label or a log field: its name when it is one of [`KNOWN`], else
/// `other`, so a client cannot make a series or a field of its own.
pub fn label(method: &Method) -> &'static str {
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}

/// Outermost but for the request log: a method outside [`KNOWN`] (an extension, TRACE,
/// CONNECT) is 501, whatever the path.
pub async fn refuse_unknown(request: Request, next: Next) -> Response {
    if label(request.method()) == "other" {
        let refused = ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "This server does not implement that request method: it answers GET, HEAD, POST, PUT, DELETE, PATCH and OPTIONS",
        );
        return answer_stranger(request, refused.into_response()).await;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_keep_their_name() {
        assert_eq!(label(&Method::GET), "GET");
        assert_eq!(label(&Method::OPTIONS), "OPTIONS");
        for other in ["TRACE", "CONNECT", "get", "PROPFIND", &"X".repeat(500)] {
            assert_eq!(
                label(&Method::from_bytes(other.as_bytes()).unwrap()),
                "other",
                "{other}"
            );
        }
    }
}
