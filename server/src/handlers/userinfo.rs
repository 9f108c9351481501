//! `GET /api/v2/userinfo/`: the one local administrator, owner of the one organization.

use axum::Json;
use axum::extract::State;
use org_invitations_core::invitation::OWNER_EMAIL;
use org_invitations_core::wire::{Organization, PermissionLevel, ResultBody, UserInfo};

use crate::auth::permit::{Permit, Viewer};
use crate::state::StoreMode;

/// The signed-in user and their organization, as the Anyscale CLI reads them.
#[utoipa::path(
    get,
    path = "/api/v2/userinfo/",
    tag = "session",
    responses((status = 200, description = "The user", body = ResultBody<UserInfo>)),
)]
pub async fn userinfo(
    _: Permit<Viewer>,
    State(state): State<StoreMode>,
) -> Json<ResultBody<UserInfo>> {
    let organization_id = state.store.organization_id().to_owned();
    Json(ResultBody {
        result: UserInfo {
            id: "usr_local_owner".into(),
            email: OWNER_EMAIL.into(),
            name: "Owner".into(),
            username: "owner".into(),
            verified: true,
            organization_permission_level: PermissionLevel::Owner,
            organization_ids: vec![organization_id.clone()],
            organizations: vec![Organization {
                id: organization_id,
                name: state.organization_name.to_string(),
                public_identifier: "local".into(),
                is_general_platform_enabled: true,
                is_private_endpoints_enabled: false,
                is_usage_blocked: false,
            }],
            ld_hash: String::new(),
            ld_hash_fields: Vec::new(),
            pylon_hash: String::new(),
        },
    })
}
