//! `GET /api/console/audit` (admins): the audit trail, newest first, filtered and paged like
//! the invitation list; `Accept: text/csv` gives the same records as CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use org_invitations_core::datetime::rfc3339;
use org_invitations_core::email::comparison_key;
use org_invitations_core::export::csv_document;
use org_invitations_core::paging_token::{self, Listing};

use crate::limits::{AUDIT_DEFAULT_COUNT, AUDIT_MAX_COUNT};
use org_invitations_core::wire::{AuditPage, AuditRecord, ErrorBody, ListMetadata};
use serde::Deserialize;

use crate::auth::permit::{Admin, Permit};
use crate::error::{ApiError, ApiQuery};
use crate::state::Site;
use crate::store::audit::{Action, Filter};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The address a record is about, compared case-insensitively.
    email: Option<String>,
    /// Who acted: an address, `token:NAME` or `owner`.
    actor: Option<String>,
    /// `create`, `invalidate`, `resend`, `denied`, `mail_queued`, `mail_sent`, `mail_written`,
    /// `mail_failed`, `accepted` or `declined`.
    #[param(pattern = "^(create|invalidate|resend|denied)?$")]
    action: Option<String>,
    /// Records at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    since: Option<String>,
    /// Records before this RFC 3339 instant.
    #[param(format = DateTime)]
    until: Option<String>,
    /// Page size: 50 when absent.
    #[param(minimum = 1, maximum = 1000)]
    count: Option<i64>,
    /// Opaque, from the previous page's `next_paging_token`.
    paging_token: Option<String>,
}

/// The audit trail, newest first (admins). An empty filter field filters nothing, as a blank
/// box in a form means "any".
#[utoipa::path(
    get,
    path = "/api/console/audit",
    tag = "extensions",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of records; as CSV when `Accept` asks for `text/csv`",
            content((AuditPage = "application/json"), (String = "text/csv"))),
        (status = 422, description = "A filter that cannot be read", body = ErrorBody),
    ),
)]
pub async fn audit(
    _: Permit<Admin>,
    State(site): State<Site>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    // Read wide, as the list's is: out of range is 422 whatever its sign, only text is 400.
    let count = query
        .count
        .map_or(Some(AUDIT_DEFAULT_COUNT), |count| u32::try_from(count).ok())
        .filter(|count| (1..=AUDIT_MAX_COUNT).contains(count))
        .ok_or_else(|| {
            ApiError::unprocessable(format!("count must be between 1 and {AUDIT_MAX_COUNT}"))
        })?;
    let instant = |name: &str, value: Option<String>| {
        value
            .filter(|text| !text.is_empty())
            .map(|text| {
                rfc3339::parse(&text).map_err(|_| {
                    ApiError::unprocessable(format!(
                        "{name} must be an RFC 3339 instant, as 2026-11-27T09:00:00Z"
                    ))
                })
            })
            .transpose()
    };
    let filter = Filter {
        email_key: query
            .email
            .as_deref()
            .filter(|email| !email.is_empty())
            .map(comparison_key),
        // A person is recorded as their address's comparison key: found however it is typed.
        actor: query.actor.filter(|actor| !actor.is_empty()).map(|actor| {
            if actor.contains('@') {
                comparison_key(&actor)
            } else {
                actor
            }
        }),
        action: query
            .action
            .as_deref()
            .filter(|name| !name.is_empty())
            .map(|name| {
                Action::parse(name).ok_or_else(|| {
                    ApiError::unprocessable(format!("action must be one of {}", Action::names()))
                })
            })
            .transpose()?,
        since: instant("since", query.since)?,
        until: instant("until", query.until)?,
    };
    let before = match query.paging_token.as_deref() {
        None | Some("") => None,
        Some(token) => Some(
            paging_token::parse(Listing::Audit, token)
                .ok_or_else(|| ApiError::bad_request("Invalid paging_token"))?,
        ),
    };
    let page = site.store.audit_list(&filter, before, count).await?;
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if wants_csv {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            to_csv(&page.records),
        )
            .into_response());
    }
    Ok(Json(AuditPage {
        results: page.records,
        metadata: ListMetadata {
            total: Some(page.total),
            next_paging_token: page
                .next_before_seq
                .map(|seq| paging_token::encode(Listing::Audit, seq)),
        },
    })
    .into_response())
}

/// The records as CSV (RFC 4180, with a header row, no cell that runs as a formula).
fn to_csv(records: &[AuditRecord]) -> String {
    let header = [
        "at",
        "actor",
        "method",
        "action",
        "email",
        "invitation_id",
        "status",
        "detail",
        "request_id",
        "client",
        "replaces",
    ];
    csv_document(
        &header,
        records.iter().map(|record| {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            [
                rfc3339::to_string(&record.at),
                record.actor.clone(),
                record.method.clone(),
                record.action.clone(),
                text(&record.email),
                text(&record.invitation_id),
                record
                    .status
                    .map_or(String::new(), |status| status.to_string()),
                text(&record.detail),
                record.request_id.clone(),
                text(&record.client),
                text(&record.replaces),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let record = AuditRecord {
            at: rfc3339::parse("2026-11-27T09:00:00Z").unwrap(),
            actor: "alice@corp.example".into(),
            method: "proxy".into(),
            action: "create".into(),
            email: Some("=HYPERLINK(\"x\")@evil.example".into()),
            invitation_id: None,
            replaces: None,
            status: Some(409),
            detail: Some("Invitation already exists for a, b".into()),
            request_id: "req_1".into(),
            client: None,
        };
        let csv = to_csv(&[record]);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "at,actor,method,action,email,invitation_id,status,detail,request_id,client,replaces"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "2026-11-27T09:00:00+00:00,alice@corp.example,proxy,create,\"'=HYPERLINK(\"\"x\"\")@evil.example\",,409,\"Invitation already exists for a, b\",req_1,,"
            )
        );
    }
}
