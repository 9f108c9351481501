//! `GET /api/console/me`: who the caller is, how they signed in, and their role, so the
//! console can say "Signed in as alice@corp.example (admin)" and show only what the role
//! allows.

use axum::Json;
use axum::extract::Request;
use serde::Serialize;

use crate::error::ApiError;
use crate::identity::{AuthMethod, Role};
use crate::permit::caller;

#[derive(Serialize)]
pub struct Me {
    /// An address (behind the company's login), `token:NAME`, or `owner`.
    pub actor: String,
    pub method: AuthMethod,
    /// `null`: signed in, but granted nothing here.
    pub role: Option<Role>,
}

pub async fn me(
    request: Request,
) -> Result<Json<org_invitations_core::wire::ResultBody<Me>>, ApiError> {
    let (parts, _) = request.into_parts();
    let (identity, _) = caller(&parts)?;
    Ok(Json(org_invitations_core::wire::ResultBody {
        result: Me {
            actor: identity.actor,
            method: identity.method,
            role: identity.role,
        },
    }))
}
