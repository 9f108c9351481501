//! The invitation endpoints: list, batch create, create, get, invalidate, and this server's
//! resend.

use crate::store::outbox::Mail;
use org_invitations_core::messages::SHIPPED;
use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::email::{self, comparison_key};
use org_invitations_core::invitation::OWNER_EMAIL;
use org_invitations_core::paging_token::{self, Listing};
use org_invitations_core::wire::{
    BatchCreateResponse, BatchCreateResult, CreateInvitation, CreatedId, ErrorBody, InvitationLink,
    ListMetadata, ListQuery, ListResponse, ResultBody, limits,
};
use serde_json::Value;

use crate::auth::permit::{Admin, Inviter, Permit, Viewer};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, IgnoredBody};
use crate::state::StoreMode;
use crate::store::audit::{Action, Entry, Who};
use crate::store::{CreateRefusal, ListFilter};
use org_invitations_core::wire::BatchCreateRequest;

/// Pending invitations, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v2/organization_invitations/",
    tag = "invitations",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of invitations", body = ListResponse),
        (status = 422, description = "`count` out of range", body = ErrorBody),
    ),
)]
pub async fn list(
    _: Permit<Viewer>,
    State(state): State<StoreMode>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ListResponse>, ApiError> {
    let count = match query.count {
        None => limits::DEFAULT_PAGE_SIZE.min(state.max_page_size),
        Some(count) => u32::try_from(count)
            .ok()
            .filter(|count| (1..=state.max_page_size).contains(count))
            .ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "count must be between 1 and {}",
                    state.max_page_size
                ))
            })?,
    };
    let after_seq = match query.paging_token.as_deref() {
        None | Some("") => 0,
        Some(token) => paging_token::parse(Listing::Invitations, token)
            .ok_or_else(|| ApiError::bad_request("Invalid paging_token"))?,
    };
    let filter = ListFilter {
        email_key: query.email.as_deref().map(comparison_key),
        include_expired: query.include_expired.unwrap_or(false),
    };
    let page = state
        .store
        .list(&filter, after_seq, count, Utc::now())
        .await?;
    Ok(Json(ListResponse {
        results: page.invitations,
        metadata: ListMetadata {
            total: Some(page.total),
            next_paging_token: page
                .last_seq_if_more
                .map(|seq| paging_token::encode(Listing::Invitations, seq)),
        },
    }))
}

/// Invites several addresses: one result per element, in order; a bad element fails alone.
#[utoipa::path(
    post,
    path = "/api/v2/organization_invitations/batch_create",
    tag = "invitations",
    request_body(content = BatchCreateRequest, description = "A bare JSON array of addresses"),
    responses(
        (status = 200, description = "One result per element, in input order", body = BatchCreateResponse),
        (status = 422, description = "Not an array, or an empty one", body = ErrorBody),
    ),
)]
pub async fn batch_create(
    permit: Permit<Inviter>,
    State(state): State<StoreMode>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<BatchCreateResponse>, ApiError> {
    let Value::Array(elements) = body else {
        return Err(ApiError::unprocessable(
            r#"The body must be a JSON array of {"email": "..."} objects"#,
        ));
    };
    if elements.is_empty() {
        return Err(ApiError::unprocessable(
            "The batch is empty: send at least one email",
        ));
    }
    if elements.len() > limits::MAX_BATCH_SIZE {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "A batch may hold at most {} invitations; this one has {}",
                limits::MAX_BATCH_SIZE,
                elements.len()
            ),
        ));
    }

    // Decide every element that fails on its own, then store the rest in one transaction.
    let mut results: Vec<Option<BatchCreateResult>> = Vec::with_capacity(elements.len());
    let mut to_store = Vec::new();
    let mut seen = HashSet::new();
    // What was refused before reaching the store, for the audit trail.
    let mut refused = Vec::new();
    let mut locales = Vec::new();
    for element in elements {
        let typed = element
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let verdict = serde_json::from_value::<CreateInvitation>(element)
            .map_err(|_| {
                BatchCreateResult::failed(
                    422,
                    r#"Each element must be an object like {"email": "a@x.com"}"#,
                )
            })
            .and_then(|item| {
                let locale = mail_locale(item.locale.as_deref())
                    .map_err(|err| BatchCreateResult::failed(422, err.detail))?;
                email::normalize(&item.email)
                    .map_err(|err| BatchCreateResult::failed(422, err.to_string()))
                    .map(|address| (address, locale))
            })
            .and_then(|(address, locale)| {
                refuse_unstorable(address, &mut seen).map(|address| (address, locale))
            });
        match verdict {
            Ok((address, locale)) => {
                to_store.push((results.len(), address));
                locales.push(locale);
                results.push(None);
            }
            Err(failed) => {
                refused.push(refused_entry(typed, &failed));
                results.push(Some(failed));
            }
        }
    }
    let addresses: Vec<String> = to_store
        .iter()
        .map(|(_, address)| address.clone())
        .collect();
    let who = permit.who;
    let mail = mail_of(&who, locales);
    let outcomes = state
        .store
        .create_many(
            &addresses,
            Utc::now(),
            Some((&who, &Entry::summarise_refusals(refused))),
            Some(&mail),
        )
        .await?;
    for ((position, address), outcome) in to_store.into_iter().zip(outcomes) {
        results[position] = Some(match outcome {
            Ok(id) => BatchCreateResult::created(id),
            Err(CreateRefusal::AlreadyPending) => {
                BatchCreateResult::failed(409, already_exists(&address))
            }
        });
    }
    Ok(Json(BatchCreateResponse {
        results: results.into_iter().flatten().collect(),
    }))
}

/// The language an invitation's mail and page speak: the one asked for, if the console speaks
/// it, else English when none was.
fn mail_locale(asked: Option<&str>) -> Result<String, ApiError> {
    match asked {
        None => Ok("en".to_owned()),
        Some(locale) if SHIPPED.contains(&locale) => Ok(locale.to_owned()),
        Some(_) => Err(ApiError::unprocessable(format!(
            "locale must be one of {}",
            SHIPPED.join(", ")
        ))),
    }
}

/// The mail of a create by `who`: each address in its language, and the inviter's address
/// when the login proxy named one (a token or the owner has no address to show).
fn mail_of(who: &Who, locales: Vec<String>) -> Mail {
    Mail {
        locales,
        inviter: (who.method == "proxy").then(|| who.actor.clone()),
    }
}

/// Refusals that need no storage: the owner, and an address repeated within one batch.
fn refuse_unstorable(
    address: String,
    seen: &mut HashSet<String>,
) -> Result<String, BatchCreateResult> {
    let key = comparison_key(&address);
    if key == OWNER_EMAIL {
        return Err(BatchCreateResult::failed(
            409,
            format!("{address} is already a member of the organization"),
        ));
    }
    if !seen.insert(key) {
        return Err(BatchCreateResult::failed(
            409,
            format!("{address} appears more than once in this batch"),
        ));
    }
    Ok(address)
}

fn already_exists(address: &str) -> String {
    format!("Invitation already exists for {address}")
}

/// The audit trail's record of an element refused before it reached the store.
fn refused_entry(typed: Option<String>, failed: &BatchCreateResult) -> Entry {
    Entry {
        action: Action::Create,
        email: typed,
        invitation_id: None,
        replaces: None,
        status: Some(failed.status),
        detail: failed.error.as_ref().map(|error| error.detail.clone()),
    }
}

/// Invites one address.
#[utoipa::path(
    post,
    path = "/api/v2/organization_invitations/",
    tag = "invitations",
    request_body = CreateInvitation,
    responses(
        (status = 200, description = "Invited", body = ResultBody<CreatedId>),
        (status = 409, description = "Already invited, or already a member", body = ErrorBody),
        (status = 422, description = "Not an address that can be invited", body = ErrorBody),
    ),
)]
pub async fn create(
    permit: Permit<Inviter>,
    State(state): State<StoreMode>,
    ApiJson(item): ApiJson<CreateInvitation>,
) -> Result<Json<ResultBody<CreatedId>>, ApiError> {
    let who = permit.who;
    let locale = mail_locale(item.locale.as_deref())?;
    let decided = email::normalize(&item.email)
        .map_err(|err| BatchCreateResult::failed(422, err.to_string()))
        .and_then(|address| refuse_unstorable(address, &mut HashSet::new()));
    let address = match decided {
        Ok(address) => address,
        Err(failed) => {
            // Refused before the store: on record all the same.
            let entry = refused_entry(Some(item.email.clone()), &failed);
            state
                .store
                .create_many(&[], Utc::now(), Some((&who, &[entry])), None)
                .await?;
            let status = axum::http::StatusCode::from_u16(failed.status)
                .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            return Err(ApiError::new(
                status,
                failed.error.map(|e| e.detail).unwrap_or_default(),
            ));
        }
    };
    let mut outcomes = state
        .store
        .create_many(
            std::slice::from_ref(&address),
            Utc::now(),
            Some((&who, &[])),
            Some(&mail_of(&who, vec![locale])),
        )
        .await?;
    match outcomes.pop() {
        Some(Ok(id)) => Ok(Json(ResultBody {
            result: CreatedId { id },
        })),
        _ => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            already_exists(&address),
        )),
    }
}

/// One invitation, open or not.
#[utoipa::path(
    get,
    path = "/api/v2/organization_invitations/{id}",
    tag = "invitations",
    params(("id" = String, Path, description = "The invitation's id, `orginv_…`")),
    responses(
        (status = 200, description = "The invitation", body = ResultBody<OrganizationInvitation>),
        (status = 404, description = "No such invitation", body = ErrorBody),
    ),
)]
pub async fn get(
    _: Permit<Viewer>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ResultBody<OrganizationInvitation>>, ApiError> {
    state
        .store
        .get(&id)
        .await?
        .map(|result| Json(ResultBody { result }))
        .ok_or_else(|| not_found(&id))
}

/// Revokes one invitation; a body, if any, is ignored.
#[utoipa::path(
    post,
    path = "/api/v2/organization_invitations/{id}/invalidate",
    tag = "invitations",
    params(("id" = String, Path, description = "The invitation's id, `orginv_…`")),
    responses(
        (status = 200, description = "Revoked; the invitation as it was", body = ResultBody<OrganizationInvitation>),
        (status = 404, description = "No such open invitation", body = ErrorBody),
    ),
)]
pub async fn invalidate(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<OrganizationInvitation>>, ApiError> {
    change_one(state, id, permit.who, Change::Invalidate).await
}

/// Replaces an open (pending or expired) invitation by a fresh one to the same address with a
/// new id and a full lifetime, atomically; answers the new invitation. It revokes the old
/// one, so it takes the role that revokes. A body, if any, is ignored.
#[utoipa::path(
    post,
    path = "/api/v2/organization_invitations/{id}/resend",
    tag = "extensions",
    params(("id" = String, Path, description = "The open invitation to replace")),
    responses(
        (status = 200, description = "The new invitation", body = ResultBody<OrganizationInvitation>),
        (status = 404, description = "No such open invitation", body = ErrorBody),
    ),
)]
pub async fn resend(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<OrganizationInvitation>>, ApiError> {
    change_one(state, id, permit.who, Change::Resend).await
}

/// A fresh link to an open, unexpired invitation, for a mail lost to spam: hand it to the
/// person another way. The link before it stops working, and mail still waiting for the
/// invitation is withdrawn (it would carry a newer link). It is a credential to the
/// invitation, so it takes the role that resends, and the audit trail records who made it
/// (never the link). A body, if any, is ignored.
#[utoipa::path(
    post,
    path = "/api/v2/organization_invitations/{id}/link",
    tag = "extensions",
    params(("id" = String, Path, description = "The open invitation to link to")),
    responses(
        (status = 200, description = "The fresh link", body = ResultBody<InvitationLink>),
        (status = 404, description = "No such open invitation", body = ErrorBody),
        (status = 409, description = "The invitation expired: resend it instead", body = ErrorBody),
    ),
)]
pub async fn link(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    headers: axum::http::HeaderMap,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<InvitationLink>>, ApiError> {
    let now = Utc::now();
    let Some(invitation) = state.store.get(&id).await? else {
        return Err(not_found(&id));
    };
    if invitation.is_expired(now) {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!(
                "Organization invitation '{id}' expired at {}: a link to it could not be \
             accepted. Resend it for a fresh invitation and mail.",
                invitation.expires_at
            ),
        ));
    }
    let copied = state
        .store
        .copy_link(&id, now, &permit.who)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(ResultBody {
        result: InvitationLink {
            url: crate::delivery::message::link(&state.link_origin_for(&headers), &copied.token),
            mail_withdrawn: copied.mail_withdrawn,
        },
    }))
}

/// What can be done to one open invitation.
enum Change {
    Invalidate,
    Resend,
}

/// A store change to the invitation `id`, on record as `who`'s: its answer, or 404.
async fn change_one(
    state: StoreMode,
    id: String,
    who: Who,
    change: Change,
) -> Result<Json<ResultBody<OrganizationInvitation>>, ApiError> {
    let now = Utc::now();
    let changed = match change {
        Change::Invalidate => state.store.invalidate(&id, now, Some(&who)).await?,
        Change::Resend => state.store.resend(&id, now, Some(&who), true).await?,
    };
    changed
        .map(|result| Json(ResultBody { result }))
        .ok_or_else(|| not_found(&id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Organization invitation '{id}' not found"))
}
