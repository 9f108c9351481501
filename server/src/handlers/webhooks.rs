//! The webhook endpoints (admins): add one (its secret shown in that answer only), list them,
//! delete one. Each change is in the audit trail; a secret never is, nor in a log line.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use org_invitations_core::webhook::{
    CreatedWebhook, EVENT_TYPES, NewWebhook, Queued, RotatedSecret, Webhook, WebhookDeliveryList,
    WebhookList, event_types,
};
use org_invitations_core::wire::{ErrorBody, ResultBody};

use crate::auth::permit::{Admin, Permit};
use crate::error::{ApiError, ApiJson, ApiPath, IgnoredBody};
use crate::limits::MAX_WEBHOOKS;
use crate::state::StoreMode;
use crate::store::webhooks::Endpoint;
use crate::webhooks::resolver::addresses_of;
use crate::webhooks::secret::new_secret;
use crate::webhooks::target::{judge, judge_addresses};

/// Adds an endpoint: where to post, and which events (none named: every one). The answer is
/// the only one that ever holds its secret (`whsec_…`, Standard Webhooks), which signs every
/// delivery to it.
#[utoipa::path(
    post,
    path = "/api/console/webhooks",
    tag = "extensions",
    request_body = NewWebhook,
    responses(
        (status = 200, description = "The endpoint, with its secret (shown once)", body = ResultBody<CreatedWebhook>),
        (status = 422, description = "A URL the server may not post to, or an unknown event type", body = ErrorBody),
    ),
)]
pub async fn create(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiJson(new): ApiJson<NewWebhook>,
) -> Result<Json<ResultBody<CreatedWebhook>>, ApiError> {
    let url = judge(&new.url, &state.webhook_targets).map_err(ApiError::unprocessable)?;
    // A name is judged by what it resolves to now (and again at every delivery); one that
    // does not resolve yet is taken, and judged when it does.
    match addresses_of(&url).await {
        Ok(addresses) => judge_addresses(&url, &addresses, &state.webhook_targets)
            .map_err(ApiError::unprocessable)?,
        // Plain http is for loopback alone: a name must show that it is one now.
        Err(why) if url.scheme() == "http" => {
            return Err(ApiError::unprocessable(format!(
                "{why}: plain http goes only to loopback; use https"
            )));
        }
        Err(_) => {}
    }
    let events = event_types(new.events.as_deref().unwrap_or_default()).map_err(|unknown| {
        ApiError::unprocessable(format!(
            "{unknown:?} is no event type; the types are {}",
            EVENT_TYPES.join(", ")
        ))
    })?;
    if state.store.webhooks().await?.len() >= MAX_WEBHOOKS {
        return Err(ApiError::unprocessable(format!(
            "There are {MAX_WEBHOOKS} endpoints already, the most kept: delete one first"
        )));
    }
    let now = Utc::now();
    let endpoint = Endpoint {
        webhook: Webhook {
            id: crate::ids::webhook_id(),
            url: url.to_string(),
            events,
            created_at: now,
            paused_at: None,
            disabled_at: None,
            failing_since: None,
        },
        secret: new_secret(),
    };
    state.store.add_webhook(&endpoint, &permit.who, now).await?;
    let Endpoint { webhook, secret } = endpoint;
    Ok(Json(ResultBody {
        result: CreatedWebhook {
            id: webhook.id,
            url: webhook.url,
            events: webhook.events,
            created_at: webhook.created_at,
            secret,
        },
    }))
}

/// Every endpoint, oldest first, without secrets.
#[utoipa::path(
    get,
    path = "/api/console/webhooks",
    tag = "extensions",
    responses((status = 200, description = "The endpoints", body = WebhookList)),
)]
pub async fn list(
    _permit: Permit<Admin>,
    State(state): State<StoreMode>,
) -> Result<Json<WebhookList>, ApiError> {
    Ok(Json(WebhookList {
        results: state.store.webhooks().await?,
    }))
}

/// Gives an endpoint a new secret, answered here only. The secret before it keeps signing
/// beside the new one for a day (two signatures in `webhook-signature`), so the receiver can
/// switch without missing a delivery.
#[utoipa::path(
    post,
    path = "/api/console/webhooks/{id}/rotate",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 200, description = "The new secret (shown once)", body = ResultBody<RotatedSecret>),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn rotate(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<RotatedSecret>>, ApiError> {
    let (secret, now) = (new_secret(), Utc::now());
    let previous_until = now + crate::limits::WEBHOOK_SECRET_OVERLAP;
    state
        .store
        .rotate_webhook(&id, &secret, previous_until, &permit.who, now)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(ResultBody {
        result: RotatedSecret {
            secret,
            previous_until,
        },
    }))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Webhook endpoint '{id}' not found"))
}

/// Deletes an endpoint: nothing more is posted to it. The answer is the endpoint as it was.
#[utoipa::path(
    delete,
    path = "/api/console/webhooks/{id}",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 200, description = "Deleted; the endpoint as it was", body = ResultBody<Webhook>),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn delete(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<Webhook>>, ApiError> {
    state
        .store
        .delete_webhook(&id, &permit.who, Utc::now())
        .await?
        .map(|result| Json(ResultBody { result }))
        .ok_or_else(|| not_found(&id))
}

/// Pauses an endpoint: its events wait (none is lost) until it is resumed.
#[utoipa::path(
    post,
    path = "/api/console/webhooks/{id}/pause",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 200, description = "Paused; the endpoint", body = ResultBody<Webhook>),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn pause(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<Webhook>>, ApiError> {
    paused(&state, &id, true, &permit).await
}

/// Resumes an endpoint paused by an admin or disabled by the server: what waited is posted.
#[utoipa::path(
    post,
    path = "/api/console/webhooks/{id}/resume",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 200, description = "Resumed; the endpoint", body = ResultBody<Webhook>),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn resume(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<Json<ResultBody<Webhook>>, ApiError> {
    paused(&state, &id, false, &permit).await
}

async fn paused(
    state: &StoreMode,
    id: &str,
    paused: bool,
    permit: &Permit<Admin>,
) -> Result<Json<ResultBody<Webhook>>, ApiError> {
    state
        .store
        .pause_webhook(id, paused, &permit.who, Utc::now())
        .await?
        .map(|result| Json(ResultBody { result }))
        .ok_or_else(|| not_found(id))
}

/// Sends the endpoint a `webhook.test` event, signed as every delivery is; its delivery shows
/// in the endpoint's log.
#[utoipa::path(
    post,
    path = "/api/console/webhooks/{id}/test",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 202, description = "Queued; see the endpoint's deliveries", body = ResultBody<Queued>),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn test(
    permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
    _body: IgnoredBody,
) -> Result<(StatusCode, Json<ResultBody<Queued>>), ApiError> {
    if !state
        .store
        .test_webhook(&id, &permit.who, Utc::now())
        .await?
    {
        return Err(not_found(&id));
    }
    Ok(queued())
}

/// The endpoint's latest deliveries, newest first: each event, its status, attempts, the
/// receiver's last answer code and what went wrong.
#[utoipa::path(
    get,
    path = "/api/console/webhooks/{id}/deliveries",
    tag = "extensions",
    params(("id" = String, Path, description = "The endpoint, `wh_…`")),
    responses(
        (status = 200, description = "The latest deliveries", body = WebhookDeliveryList),
        (status = 404, description = "No such endpoint", body = ErrorBody),
    ),
)]
pub async fn deliveries(
    _permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WebhookDeliveryList>, ApiError> {
    state
        .store
        .webhook_deliveries(&id)
        .await?
        .map(|results| Json(WebhookDeliveryList { results }))
        .ok_or_else(|| not_found(&id))
}

/// Posts a delivery's event again: the same body and `webhook-id` (so a receiver that had it
/// knows it), as a new delivery in the log.
#[utoipa::path(
    post,
    path = "/api/console/webhooks/{id}/deliveries/{delivery}/redeliver",
    tag = "extensions",
    params(
        ("id" = String, Path, description = "The endpoint, `wh_…`"),
        ("delivery" = String, Path, description = "The delivery, `whd_…`"),
    ),
    responses(
        (status = 202, description = "Queued; see the endpoint's deliveries", body = ResultBody<Queued>),
        (status = 404, description = "No such delivery of that endpoint", body = ErrorBody),
    ),
)]
pub async fn redeliver(
    _permit: Permit<Admin>,
    State(state): State<StoreMode>,
    ApiPath((id, delivery)): ApiPath<(String, String)>,
    _body: IgnoredBody,
) -> Result<(StatusCode, Json<ResultBody<Queued>>), ApiError> {
    if !state
        .store
        .redeliver_webhook(&id, &delivery, Utc::now())
        .await?
    {
        return Err(ApiError::not_found(format!(
            "Delivery '{delivery}' of webhook endpoint '{id}' not found"
        )));
    }
    Ok(queued())
}

fn queued() -> (StatusCode, Json<ResultBody<Queued>>) {
    (
        StatusCode::ACCEPTED,
        Json(ResultBody {
            result: Queued { queued: true },
        }),
    )
}
