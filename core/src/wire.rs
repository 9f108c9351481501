//! Every body and path of the invitation API (documented in `docs/api.md`).
//! The server serialises these and the console deserialises them, so the two cannot drift.

use serde::{Deserialize, Serialize};

use crate::OrganizationInvitation;

/// Paths, relative to the API base URL.
pub mod paths {
    pub const USERINFO: &str = "/api/v2/userinfo/";
    pub const INVITATIONS: &str = "/api/v2/organization_invitations/";
    pub const BATCH_CREATE: &str = "/api/v2/organization_invitations/batch_create";
    /// This server's own: ends the browser's session.
    pub const SIGN_OUT: &str = "/api/console/sign-out";
    /// This server's own: who the caller is and their role.
    pub const ME: &str = "/api/console/me";
    /// This server's own: the audit trail (admins).
    pub const AUDIT: &str = "/api/console/audit";
    /// This server's own: ends every browser session (admins).
    pub const REVOKE_ALL_SESSIONS: &str = "/api/console/sessions/revoke-all";
    /// This server's own: the webhook endpoints (admins).
    pub const WEBHOOKS: &str = "/api/console/webhooks";
    pub const CLI_USAGE: &str = "/api/v2/cli_usage/";

    /// `GET` one invitation.
    pub fn invitation(id: &str) -> String {
        format!("{INVITATIONS}{id}")
    }

    /// `POST` here revokes one invitation.
    pub fn invalidate(id: &str) -> String {
        format!("{INVITATIONS}{id}/invalidate")
    }

    /// This server's own: `POST` here replaces an open invitation by a fresh one to the same
    /// address, in one transaction.
    pub fn resend(id: &str) -> String {
        format!("{INVITATIONS}{id}/resend")
    }

    /// This server's own: `POST` here gives an open invitation a fresh link to hand over.
    pub fn link(id: &str) -> String {
        format!("{INVITATIONS}{id}/link")
    }
}

/// Limits this project's server enforces and its console respects.
pub mod limits {
    /// Page size when a list request names none.
    pub const DEFAULT_PAGE_SIZE: u32 = 20;
    /// The largest `count` a list request may ask for (the Anyscale SDK sends at most 50).
    pub const MAX_PAGE_SIZE: u32 = 1000;
    /// The most addresses one `batch_create` may carry; a larger batch is refused whole.
    pub const MAX_BATCH_SIZE: usize = 1000;
}

/// The `batch_create` body: a bare JSON array of addresses. Elements that are not such an
/// object still get an answer of their own (422 in their result), as the contract asks.
/// Only its schema is used: the handler reads the body element by element.
#[cfg(feature = "openapi")]
pub struct BatchCreateRequest;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for BatchCreateRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::ToSchema;
        utoipa::openapi::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name(
                CreateInvitation::name(),
            ))
            .min_items(Some(1))
            .max_items(Some(limits::MAX_BATCH_SIZE))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for BatchCreateRequest {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push((
            CreateInvitation::name().into_owned(),
            <CreateInvitation as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// The body of every non-2xx answer: `{"error": {"detail": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorBody {
    pub fn new(detail: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                detail: detail.into(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub detail: String,
}

/// `{"result": ...}`, the envelope of single-object answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultBody<T> {
    pub result: T,
}

/// Query of `GET /api/v2/organization_invitations/`; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListQuery {
    /// Exact address, compared case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Page size: 20 when absent; at most 1000, or the server's `--max-page-size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    /// (Signed, so that a negative count is out of range (422) rather than unreadable.)
    pub count: Option<i64>,
    /// Opaque, from the previous page's `next_paging_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging_token: Option<String>,
    /// This project's extension: also list invitations that expired without being accepted.
    /// Servers that do not know it ignore it and list pending ones only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_expired: Option<bool>,
}

/// One page of invitations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListResponse {
    pub results: Vec<OrganizationInvitation>,
    /// Optional for clients; this project's server always sends it.
    #[serde(default)]
    pub metadata: ListMetadata,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListMetadata {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub next_paging_token: Option<String>,
}

/// One element of the `batch_create` body (a bare JSON array of these), and the body of the
/// single create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitation {
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// The language of the invitation's mail and page: `en`, `de`, `fr`, `es`, `ja` or `ar`
    /// (English when absent). This project's extension; the Anyscale CLI sends none.
    // Read with the `delivery` feature (the server); the console sends none yet.
    #[cfg_attr(feature = "openapi", schema(pattern = "^(en|de|fr|es|ja|ar)$"))]
    #[cfg_attr(
        feature = "delivery",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    #[cfg_attr(not(feature = "delivery"), serde(skip))]
    pub locale: Option<String>,
}

/// A fresh link to an open invitation, for an admin to hand over another way (this server's
/// extension: `POST …/{id}/link`). The invitation's link before it no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationLink {
    /// The page the person invited opens to accept or decline; it carries a single-use token,
    /// so hand it only to them.
    pub url: String,
    /// Whether mail still waiting for the invitation was withdrawn (sent later, it would have
    /// carried a newer link and ended this one).
    pub mail_withdrawn: bool,
}

/// What a create answers for one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedId {
    pub id: String,
}

/// The `batch_create` answer: one result per input element, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchCreateResponse {
    pub results: Vec<BatchCreateResult>,
}

/// Exactly one of `data` and `error` is set; both are always present on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchCreateResult {
    pub status: u16,
    pub data: Option<CreatedId>,
    pub error: Option<ErrorDetail>,
}

impl BatchCreateResult {
    pub fn created(id: impl Into<String>) -> Self {
        Self {
            status: 200,
            data: Some(CreatedId { id: id.into() }),
            error: None,
        }
    }

    pub fn failed(status: u16, detail: impl Into<String>) -> Self {
        Self {
            status,
            data: None,
            error: Some(ErrorDetail {
                detail: detail.into(),
            }),
        }
    }
}

/// `GET /api/v2/userinfo/`'s result: every field the Anyscale CLI requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: String,
    pub email: String,
    pub name: String,
    pub username: String,
    pub verified: bool,
    pub organization_permission_level: PermissionLevel,
    pub organization_ids: Vec<String>,
    pub organizations: Vec<Organization>,
    pub ld_hash: String,
    pub ld_hash_fields: Vec<String>,
    pub pylon_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PermissionLevel {
    Owner,
    Collaborator,
    ImageReader,
    ImageReaderNoBaseImages,
    Unspecified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub public_identifier: String,
    pub is_general_platform_enabled: bool,
    pub is_private_endpoints_enabled: bool,
    pub is_usage_blocked: bool,
}

/// `GET /api/console/me` (this project's server): who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// An address (behind the company's login), `token:NAME`, or `owner`.
    pub actor: String,
    /// `owner_token`, `named_token`, `session` or `proxy`.
    pub method: String,
    /// Null: signed in, but granted nothing here.
    pub role: Option<crate::role::Role>,
    /// Whether this server offers the atomic resend (`POST …/{id}/resend`); a gateway does not.
    #[serde(default)]
    pub resend: bool,
    /// Whether this server sends the invitations' mail itself and says how each fares (an
    /// invitation's `delivery`); a gateway's upstream sends its own and says nothing.
    #[serde(default)]
    pub delivery: bool,
}

/// `POST /api/console/sessions/revoke-all` (this project's server): how many sessions ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: u64,
}

/// One record of `GET /api/console/audit` (this project's server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    #[serde(with = "crate::datetime::rfc3339")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub method: String,
    /// `create`, `invalidate`, `resend`, `denied`; the mail's `mail_queued`, `mail_sent`,
    /// `mail_written`, `mail_failed`; the person invited's `accepted`, `declined`;
    /// an admin's `link_copied`, `webhook_created`, `webhook_rotated`, `webhook_paused`,
    /// `webhook_resumed`, `webhook_deleted`; the server's `webhook_disabled`.
    pub action: String,
    pub email: Option<String>,
    /// The invitation made or revoked; for a resend, the new one.
    pub invitation_id: Option<String>,
    /// For a resend: the invitation it replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// Null: the outcome is unknown.
    pub status: Option<u16>,
    pub detail: Option<String>,
    pub request_id: String,
    pub client: Option<String>,
}

/// A page of the audit trail, paged as the invitation list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub results: Vec<AuditRecord>,
    pub metadata: ListMetadata,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn batch_results_always_carry_both_fields() {
        let ok = serde_json::to_value(BatchCreateResult::created("orginv_a")).unwrap();
        assert_eq!(
            ok,
            json!({"status": 200, "data": {"id": "orginv_a"}, "error": null})
        );
        let failed = serde_json::to_value(BatchCreateResult::failed(
            409,
            "Invitation already exists for b@x.com",
        ))
        .unwrap();
        assert_eq!(
            failed,
            json!({"status": 409, "data": null, "error": {"detail": "Invitation already exists for b@x.com"}})
        );
    }

    #[test]
    fn a_list_without_metadata_is_accepted() {
        let page: ListResponse = serde_json::from_value(json!({"results": []})).unwrap();
        assert_eq!(page.metadata, ListMetadata::default());
    }

    #[test]
    fn the_spec_userinfo_example_parses() {
        let info: ResultBody<UserInfo> = serde_json::from_value(json!({"result": {
            "id": "usr_1", "email": "owner@example.com", "name": "Owner", "username": "owner",
            "verified": true, "organization_permission_level": "image_reader_no_base_images",
            "organization_ids": ["org_1"],
            "organizations": [{"id": "org_1", "name": "My Org", "public_identifier": "myorg",
                "is_general_platform_enabled": true, "is_private_endpoints_enabled": false, "is_usage_blocked": false}],
            "ld_hash": "", "ld_hash_fields": [], "pylon_hash": ""}}))
        .unwrap();
        assert_eq!(
            info.result.organization_permission_level,
            PermissionLevel::ImageReaderNoBaseImages
        );
    }

    #[test]
    fn list_query_omits_what_is_unset() {
        let query = ListQuery {
            count: Some(50),
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&query).unwrap(), json!({"count": 50}));
    }

    #[test]
    fn paths_follow_the_contract() {
        assert_eq!(
            paths::invalidate("orginv_a"),
            "/api/v2/organization_invitations/orginv_a/invalidate"
        );
        assert_eq!(
            paths::invitation("orginv_a"),
            "/api/v2/organization_invitations/orginv_a"
        );
    }
}
