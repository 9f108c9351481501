//! `POST /api/console/sessions/revoke-all` (admins): ends every browser session, as
//! `org-invitations-server sessions revoke --all` does, without a shell on the server. Tokens
//! and the login proxy's identities are untouched.

use axum::Json;
use axum::extract::State;
use org_invitations_core::wire::SessionsEnded;

use crate::auth::permit::{Admin, Permit};
use crate::error::ApiError;
use crate::state::Site;

/// Ends every browser session; says how many there were.
#[utoipa::path(
    post,
    path = "/api/console/sessions/revoke-all",
    tag = "extensions",
    responses((status = 200, description = "Every session ended", body = SessionsEnded)),
)]
pub async fn revoke_all(
    permit: Permit<Admin>,
    State(site): State<Site>,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = site.store.revoke_all_sessions().await?;
    tracing::info!(actor = %permit.who.actor, ended, "every session ended");
    Ok(Json(SessionsEnded { ended }))
}
