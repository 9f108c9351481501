//! `GET /api/console/me`: who the caller is, how they signed in, and their role, so the
//! console can say "Signed in as alice@corp.example (admin)" and show only what the role
//! allows.

use axum::Json;
use axum::extract::{Request, State};
use org_invitations_core::wire::{Me, ResultBody};

use crate::auth::permit::caller;
use crate::error::ApiError;
use crate::state::Site;

/// Who the caller is, how they signed in, and their role.
#[utoipa::path(
    get,
    path = "/api/console/me",
    tag = "extensions",
    responses((status = 200, description = "The caller", body = ResultBody<Me>)),
)]
pub async fn me(
    State(site): State<Site>,
    request: Request,
) -> Result<Json<ResultBody<Me>>, ApiError> {
    let (parts, _) = request.into_parts();
    let (identity, _) = caller(&parts)?;
    Ok(Json(ResultBody {
        result: Me {
            actor: identity.actor,
            method: identity.method.name().to_owned(),
            role: identity.role,
            resend: site.own_store,
            delivery: site.own_store,
        },
    }))
}
