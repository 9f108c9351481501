//! The write limit as a layer: after authentication, every change to invitations counts
//! against its identity's allowance (`crate::auth::rate_limits`).

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use org_invitations_core::wire::paths;

use crate::auth::identity::Identity;
use crate::auth::rate_limits::RateLimits;

/// After authentication: every change to invitations counts against its identity's limit
/// (signing out and the CLI's telemetry change nothing and do not count).
pub async fn limit_writes(
    State(limits): State<RateLimits>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST
        && request.uri().path().starts_with(paths::INVITATIONS)
        && let Some(identity) = request.extensions().get::<Identity>()
        && let Err(too_many) = limits.write(&identity.actor)
    {
        crate::telemetry::refusal(crate::telemetry::Refusal::TooManyWrites);
        return too_many.into_response();
    }
    next.run(request).await
}
