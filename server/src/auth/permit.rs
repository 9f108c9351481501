//! What a caller's role allows, checked where the handler says what it needs: a handler that
//! takes a `Permit<Inviter>` runs only for inviters and admins. A refusal is a 403 that names
//! the missing role, and it is recorded in the audit trail.

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::auth::identity::Identity;
use crate::error::ApiError;
use crate::state::Site;
use crate::store::audit::{Action, Entry, Who};
use crate::telemetry::RequestId;
use org_invitations_core::role::Role;

/// A role a handler needs.
pub trait Required {
    const ROLE: Role;
}

pub struct Viewer;
pub struct Inviter;
pub struct Admin;

impl Required for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl Required for Inviter {
    const ROLE: Role = Role::Inviter;
}
impl Required for Admin {
    const ROLE: Role = Role::Admin;
}

/// Proof that the caller may do what the handler does, and who they are for the record.
pub struct Permit<R> {
    pub who: Who,
    _role: PhantomData<R>,
}

impl<S, R> FromRequestParts<S> for Permit<R>
where
    S: Send + Sync,
    R: Required,
    Site: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let site = Site::from_ref(state);
        let (identity, who) = caller(parts)?;
        check(&site, &identity, &who, R::ROLE, target_id(parts.uri.path())).await?;
        Ok(Self {
            who,
            _role: PhantomData,
        })
    }
}

/// The caller `authenticate` found, and the record of who they are.
pub fn caller(parts: &Parts) -> Result<(Identity, Who), ApiError> {
    let identity = parts
        .extensions
        .get::<Identity>()
        .cloned()
        .ok_or_else(ApiError::unauthorized)?;
    let who = Who {
        actor: identity.actor.clone(),
        method: identity.method.name(),
        request_id: parts
            .extensions
            .get::<RequestId>()
            .map(|RequestId(id)| id.clone())
            .unwrap_or_default(),
        client: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip().to_string()),
    };
    Ok((identity, who))
}

/// Passes when `identity` holds `required` or a stronger role; otherwise records the refusal
/// and answers 403. A refusal that cannot be recorded is a 503: nothing goes unrecorded.
pub async fn check(
    site: &Site,
    identity: &Identity,
    who: &Who,
    required: Role,
    target_id: Option<String>,
) -> Result<(), ApiError> {
    if identity.role.is_some_and(|role| role >= required) {
        return Ok(());
    }
    let detail = match identity.role {
        Some(role) => format!(
            "This needs the {required} role; {} has the {role} role",
            identity.actor
        ),
        None => format!(
            "This needs the {required} role; {} has no role here",
            identity.actor
        ),
    };
    // Reading is no change: only refused changes are recorded.
    if required > Role::Viewer {
        let entry = Entry {
            action: Action::Denied,
            email: None,
            invitation_id: target_id,
            replaces: None,
            status: Some(403),
            detail: Some(detail.clone()),
        };
        site.store
            .record(chrono::Utc::now(), who, &[entry])
            .await
            .map_err(ApiError::unrecorded)?;
    }
    crate::telemetry::refusal(crate::telemetry::Refusal::Forbidden);
    Err(ApiError::new(StatusCode::FORBIDDEN, detail))
}

/// The invitation id in a path such as `/api/v2/organization_invitations/{id}/invalidate`
/// (or `/resend`).
pub fn target_id(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/api/v2/organization_invitations/")?;
    rest.strip_suffix("/invalidate")
        .or_else(|| rest.strip_suffix("/resend"))
        .map(str::to_owned)
}
