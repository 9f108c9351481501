//! API errors: every non-2xx answer carries `{"error": {"detail": ...}}`, including the ones
//! produced by rejected bodies and queries. On the ground floor: every layer above answers with
//! [`ApiError`]; how a storage failure is answered is the store's to say (`crate::store`).

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Bytes};
use org_invitations_core::wire::ErrorBody;
use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Missing or invalid API token")
    }
}

impl From<crate::client_address::UnreadableHop> for ApiError {
    fn from(
        crate::client_address::UnreadableHop(hop): crate::client_address::UnreadableHop,
    ) -> Self {
        Self::bad_request(format!(
            "The login proxy named no client address this server can read ({hop:?}): it must \
             write the client's address in the header that --client-address-header names"
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody::new(self.detail))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Every 503 of this server means "nothing was done; try again shortly".
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 9110: a 401 names the scheme that would be accepted.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(err: tokio::task::JoinError) -> Self {
        tracing::error!(error = %err, "request task failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The request failed unexpectedly",
        )
    }
}

/// Reads a whole body, answering a refusal (too large, broken) with the error body. (The API's
/// bodies are already in memory: `request_size::buffer_body` read them within their deadline.)
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(|rejection: BytesRejection| {
            let detail = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "Request body is too large".to_owned()
            } else {
                rejection.body_text()
            };
            ApiError::new(rejection.status(), detail)
        })
}

/// A JSON body whose rejections (size, syntax, types) answer with the error body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|err| {
            let status = match err.classify() {
                serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            ApiError::new(status, format!("Invalid request body: {err}"))
        })
    }
}

/// A body the endpoint does not use, read anyway: left unread, it would make the server close
/// a connection the client means to reuse.
pub struct IgnoredBody;

impl<S: Send + Sync> FromRequest<S> for IgnoredBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_body(req, state).await.map(|_| IgnoredBody)
    }
}

/// A path parameter whose rejections (such as bytes that are not UTF-8) answer with the error
/// body.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection: PathRejection| ApiError::bad_request(rejection.body_text()))
    }
}

/// A query string whose rejections answer with the error body.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| ApiQuery(query))
            .map_err(|rejection: QueryRejection| ApiError::bad_request(rejection.body_text()))
    }
}
