//! The first screen's answers (a page of the list, who the caller is, the organization's
//! name, an error's detail) read by hand from the browser's parsed JSON. serde-wasm-bindgen,
//! which reads the other answers, words its messages with Rust's float formatting: on the
//! list's path it put 4 KiB (brotli) more into the first screen (docs/size.md, "Split").

use chrono::{DateTime, Utc};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::datetime::rfc3339;
use org_invitations_core::invitation::{Delivery, DeliveryState};
use org_invitations_core::role::Role;
use org_invitations_core::wire::{ListMetadata, ListResponse, Me};
use wasm_bindgen::{JsCast, JsValue};

use super::ApiError;

/// A value in an answer and where it is (`results[3].email`; empty for the whole answer), for
/// the message when it is not what the contract says.
pub(super) struct At {
    pub(super) value: JsValue,
    path: String,
}

impl At {
    pub(super) fn answer(value: JsValue) -> Self {
        Self {
            value,
            path: String::new(),
        }
    }

    pub(super) fn field(&self, name: &str) -> At {
        let value = if self.value.is_object() {
            js_sys::Reflect::get(&self.value, &name.into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        let path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        };
        At { value, path }
    }

    pub(super) fn absent(&self) -> bool {
        self.value.is_null() || self.value.is_undefined()
    }

    pub(super) fn wrong(&self, what: &str) -> ApiError {
        let at = if self.path.is_empty() {
            "the answer".to_owned()
        } else {
            format!("`{}`", self.path)
        };
        ApiError::BadResponse(format!("{at} is not {what}"))
    }

    pub(super) fn text(&self) -> Result<String, ApiError> {
        self.value.as_string().ok_or_else(|| self.wrong("text"))
    }

    pub(super) fn optional<T>(
        &self,
        read: impl FnOnce(&At) -> Result<T, ApiError>,
    ) -> Result<Option<T>, ApiError> {
        if self.absent() {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    pub(super) fn moment(&self) -> Result<DateTime<Utc>, ApiError> {
        rfc3339::parse(&self.text()?).map_err(|_| self.wrong("an RFC 3339 date and time"))
    }

    /// A whole number a JSON number can hold exactly.
    pub(super) fn count(&self) -> Result<u64, ApiError> {
        const MOST: f64 = 9_007_199_254_740_991.0;
        match self.value.as_f64() {
            Some(number) if number >= 0.0 && number <= MOST && number.fract() == 0.0 => {
                Ok(number as u64)
            }
            _ => Err(self.wrong("a whole number")),
        }
    }

    pub(super) fn items(&self) -> Result<Vec<At>, ApiError> {
        let array = self
            .value
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| self.wrong("a list"))?;
        Ok(array
            .iter()
            .enumerate()
            .map(|(index, value)| At {
                value,
                path: format!("{}[{index}]", self.path),
            })
            .collect())
    }
}

/// A page of `GET /api/v2/organization_invitations/`.
pub fn list_response(value: JsValue) -> Result<ListResponse, ApiError> {
    let answer = At::answer(value);
    let results = answer
        .field("results")
        .items()?
        .iter()
        .map(invitation)
        .collect::<Result<_, _>>()?;
    let metadata = answer
        .field("metadata")
        .optional(|metadata| {
            Ok(ListMetadata {
                total: metadata.field("total").optional(At::count)?,
                next_paging_token: metadata.field("next_paging_token").optional(At::text)?,
            })
        })?
        .unwrap_or_default();
    Ok(ListResponse { results, metadata })
}

fn invitation(at: &At) -> Result<OrganizationInvitation, ApiError> {
    let mut invitation = OrganizationInvitation::from_fields(
        at.field("id").text()?,
        at.field("email").text()?,
        at.field("organization_id").text()?,
        at.field("accepted_at").optional(At::moment)?,
        at.field("created_at").moment()?,
        at.field("expires_at").moment()?,
    );
    invitation.delivery = at.field("delivery").optional(delivery)?;
    Ok(invitation)
}

/// How an invitation's mail fares (this project's server only).
fn delivery(at: &At) -> Result<Delivery, ApiError> {
    let state = at.field("state");
    Ok(Delivery {
        state: DeliveryState::parse(&state.text()?)
            .ok_or_else(|| state.wrong("a delivery state"))?,
        attempts: {
            let attempts = at.field("attempts");
            u32::try_from(attempts.count()?).map_err(|_| attempts.wrong("a count of attempts"))?
        },
        last_attempt_at: at.field("last_attempt_at").optional(At::moment)?,
        error: at.field("error").optional(At::text)?,
        reminder: at.field("reminder").value.as_bool().unwrap_or(false),
    })
}

/// `GET …/me`'s `result`.
pub fn me(value: JsValue) -> Result<Me, ApiError> {
    let me = At::answer(value).field("result");
    let role = me.field("role");
    Ok(Me {
        actor: me.field("actor").text()?,
        method: me.field("method").text()?,
        role: role
            .optional(|role| Role::parse(&role.text()?).ok_or_else(|| role.wrong("a role")))?,
        resend: me.field("resend").value.as_bool().unwrap_or(false),
        delivery: me.field("delivery").value.as_bool().unwrap_or(false),
    })
}

/// The first organization's name in `userinfo`, if it has one.
pub fn organization_name(value: JsValue) -> Result<Option<String>, ApiError> {
    let organizations = At::answer(value)
        .field("result")
        .field("organizations")
        .items()?;
    organizations
        .first()
        .map(|organization| organization.field("name").text())
        .transpose()
}

/// An error answer's `error.detail`, if it has one.
pub fn error_detail(value: JsValue) -> Option<String> {
    At::answer(value).field("error").field("detail").text().ok()
}

#[cfg(all(test, target_family = "wasm"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn json(text: &str) -> JsValue {
        js_sys::JSON::parse(text).expect("JSON")
    }

    fn detail(error: ApiError) -> String {
        match error {
            ApiError::BadResponse(detail) => detail,
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn a_page_is_read_as_the_contract_writes_it() {
        let page = list_response(json(
            r#"{"results": [{"id": "orginv_1", "email": "ada@example.com", "organization_id": "org_1",
                "accepted_at": null, "created_at": "2026-12-01T10:00:00Z",
                "expires_at": "2026-12-08T10:00:00.5+01:00", "delivery": {"state": "failed",
                "attempts": 2, "last_attempt_at": "2026-12-01T10:01:00Z", "error": "550 no such user"}}],
                "metadata": {"total": 51, "next_paging_token": "abc"}}"#,
        ))
        .unwrap();
        assert_eq!(page.results.len(), 1);
        assert_eq!(page.results[0].email, "ada@example.com");
        assert_eq!(page.results[0].accepted_at, None);
        assert_eq!(
            page.results[0].delivery,
            Some(Delivery {
                state: DeliveryState::Failed,
                attempts: 2,
                last_attempt_at: Some(rfc3339::parse("2026-12-01T10:01:00Z").unwrap()),
                error: Some("550 no such user".to_owned()),
                reminder: false,
            })
        );
        assert_eq!(
            page.results[0].expires_at,
            rfc3339::parse("2026-12-08T09:00:00.5Z").unwrap()
        );
        assert_eq!(page.metadata.total, Some(51));
        assert_eq!(page.metadata.next_paging_token.as_deref(), Some("abc"));
        // Metadata is optional for other servers.
        let bare = list_response(json(r#"{"results": []}"#)).unwrap();
        assert_eq!(bare.metadata, ListMetadata::default());
    }

    #[wasm_bindgen_test]
    fn what_the_contract_does_not_allow_is_named_where_it_is() {
        let page = |invitation: &str| {
            detail(
                list_response(json(&format!(r#"{{"results": [{{}}, {invitation}]}}"#)))
                    .unwrap_err(),
            )
        };
        let whole = r#""id": "orginv_1", "email": "a@example.com", "organization_id": "org_1",
            "created_at": "2026-12-01T10:00:00Z", "expires_at": "2026-12-08T10:00:00Z""#;
        assert_eq!(
            detail(
                list_response(json(&format!(
                    r#"{{"results": [{{{whole}}}, {{"email": 7}}]}}"#
                )))
                .unwrap_err()
            ),
            "`results[1].id` is not text"
        );
        assert_eq!(page("{}"), "`results[0].id` is not text");
        assert_eq!(
            detail(
                list_response(json(&format!(
                    r#"{{"results": [{{{}}}]}}"#,
                    whole.replace("2026-12-01T10:00:00Z", "yesterday")
                )))
                .unwrap_err()
            ),
            "`results[0].created_at` is not an RFC 3339 date and time"
        );
        assert_eq!(
            detail(list_response(json(r#"{"results": {}}"#)).unwrap_err()),
            "`results` is not a list"
        );
        assert_eq!(
            detail(
                list_response(json(r#"{"results": [], "metadata": {"total": 1.5}}"#)).unwrap_err()
            ),
            "`metadata.total` is not a whole number"
        );
        assert_eq!(
            detail(list_response(json("[]")).unwrap_err()),
            "`results` is not a list"
        );
        assert_eq!(
            detail(
                list_response(json(&format!(
                    r#"{{"results": [{{{whole}, "delivery": {{"state": "lost", "attempts": 0}}}}]}}"#
                )))
                .unwrap_err()
            ),
            "`results[0].delivery.state` is not a delivery state"
        );
    }

    #[wasm_bindgen_test]
    fn who_the_caller_is_and_the_organizations_name() {
        let me = me(json(
            r#"{"result": {"actor": "ada@example.com", "method": "session", "role": "admin", "resend": true}}"#,
        ))
        .unwrap();
        assert_eq!(me.role, Some(Role::Admin));
        assert!(me.resend);
        assert!(!me.delivery, "absent: not said");
        let nobody = super::me(json(
            r#"{"result": {"actor": "x", "method": "proxy", "role": null}}"#,
        ))
        .unwrap();
        assert_eq!(nobody.role, None);
        assert!(!nobody.resend);
        assert_eq!(
            detail(
                super::me(json(
                    r#"{"result": {"actor": "x", "method": "proxy", "role": "god"}}"#
                ))
                .unwrap_err()
            ),
            "`result.role` is not a role"
        );
        assert_eq!(
            organization_name(json(r#"{"result": {"organizations": [{"name": "Acme"}]}}"#))
                .unwrap(),
            Some("Acme".to_owned())
        );
        assert_eq!(
            organization_name(json(r#"{"result": {"organizations": []}}"#)).unwrap(),
            None
        );
        assert_eq!(
            error_detail(json(
                r#"{"error": {"detail": "count must be between 1 and 50"}}"#
            )),
            Some("count must be between 1 and 50".to_owned())
        );
        assert_eq!(error_detail(json(r#"{"detail": "x"}"#)), None);
    }
}
