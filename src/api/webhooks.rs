//! The webhook endpoints' API (admins, this project's server), all of it in the `later` module.
//! Answers are read by hand, as the first screen's are (`super::read`): serde's readers for
//! these six answers cost the module 12 KiB (brotli).

use gloo_net::http::{Request, RequestBuilder};
use org_invitations_core::webhook::{DeliveryStatus, NewWebhook, Webhook, WebhookDelivery};
use org_invitations_core::wire::paths;
use wasm_bindgen::JsValue;

use super::read::At;
use super::{ApiClient, ApiError};

/// A secret just made, shown once, and the URL of the endpoint it signs for.
pub struct Secret {
    pub url: String,
    pub secret: String,
}

/// What can be done to one endpoint with a bodiless POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointChange {
    Pause,
    Resume,
}

impl ApiClient {
    /// Every endpoint, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        let answer = self
            .json(|| Request::get(&self.url(paths::WEBHOOKS)), None)
            .await?;
        At::answer(answer)
            .field("results")
            .items()?
            .iter()
            .map(webhook)
            .collect()
    }

    /// Adds an endpoint; the answer holds its secret, shown once.
    pub async fn add_webhook(&self, new: &NewWebhook) -> Result<Secret, ApiError> {
        // As batch_create writes its body: the browser's JSON, not another serializer's code.
        let body = serde_wasm_bindgen::to_value(new)
            .ok()
            .and_then(|value| js_sys::JSON::stringify(&value).ok())
            .and_then(|text| text.as_string())
            .ok_or_else(|| ApiError::Unsendable("the endpoint cannot be written as JSON".into()))?;
        let answer = self
            .json(|| Request::post(&self.url(paths::WEBHOOKS)), Some(&body))
            .await?;
        let result = At::answer(answer).field("result");
        Ok(Secret {
            url: result.field("url").text()?,
            secret: result.field("secret").text()?,
        })
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<(), ApiError> {
        let url = self.url(&format!("{}/{id}", paths::WEBHOOKS));
        self.answer(&|| Request::delete(&url), None, None)
            .await
            .map(drop)
    }

    /// A new secret for the endpoint, shown once.
    pub async fn rotate_webhook(&self, id: &str) -> Result<String, ApiError> {
        let url = self.url(&format!("{}/{id}/rotate", paths::WEBHOOKS));
        let answer = self.json(|| Request::post(&url), None).await?;
        At::answer(answer).field("result").field("secret").text()
    }

    /// Pauses or resumes the endpoint.
    pub async fn change_webhook(&self, id: &str, change: EndpointChange) -> Result<(), ApiError> {
        let verb = match change {
            EndpointChange::Pause => "pause",
            EndpointChange::Resume => "resume",
        };
        let url = self.url(&format!("{}/{id}/{verb}", paths::WEBHOOKS));
        self.answer(&|| Request::post(&url), None, None)
            .await
            .map(drop)
    }

    /// Queues a test event for the endpoint.
    pub async fn test_webhook(&self, id: &str) -> Result<(), ApiError> {
        let url = self.url(&format!("{}/{id}/test", paths::WEBHOOKS));
        self.answer(&|| Request::post(&url), None, None)
            .await
            .map(drop)
    }

    /// The endpoint's latest deliveries, newest first.
    pub async fn webhook_deliveries(&self, id: &str) -> Result<Vec<WebhookDelivery>, ApiError> {
        let url = self.url(&format!("{}/{id}/deliveries", paths::WEBHOOKS));
        let answer = self.json(|| Request::get(&url), None).await?;
        At::answer(answer)
            .field("results")
            .items()?
            .iter()
            .map(delivery)
            .collect()
    }

    /// Posts a delivery's event again.
    pub async fn redeliver(&self, id: &str, delivery: &str) -> Result<(), ApiError> {
        let url = self.url(&format!(
            "{}/{id}/deliveries/{delivery}/redeliver",
            paths::WEBHOOKS
        ));
        self.answer(&|| Request::post(&url), None, None)
            .await
            .map(drop)
    }

    /// A request's answer as the browser parsed it.
    async fn json(
        &self,
        make: impl Fn() -> RequestBuilder,
        body: Option<&str>,
    ) -> Result<JsValue, ApiError> {
        self.send_json(&make, body, None).await
    }
}

fn webhook(at: &At) -> Result<Webhook, ApiError> {
    Ok(Webhook {
        id: at.field("id").text()?,
        url: at.field("url").text()?,
        events: at
            .field("events")
            .items()?
            .iter()
            .map(At::text)
            .collect::<Result<_, _>>()?,
        created_at: at.field("created_at").moment()?,
        paused_at: at.field("paused_at").optional(At::moment)?,
        disabled_at: at.field("disabled_at").optional(At::moment)?,
        failing_since: at.field("failing_since").optional(At::moment)?,
    })
}

fn delivery(at: &At) -> Result<WebhookDelivery, ApiError> {
    let status = at.field("status");
    let attempts = at.field("attempts");
    let code = at.field("response_status");
    Ok(WebhookDelivery {
        id: at.field("id").text()?,
        message_id: at.field("message_id").text()?,
        event_type: at.field("event_type").text()?,
        invitation_id: at.field("invitation_id").optional(At::text)?,
        status: match status.text()?.as_str() {
            "pending" => DeliveryStatus::Pending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => return Err(status.wrong("a delivery status")),
        },
        attempts: u32::try_from(attempts.count()?)
            .map_err(|_| attempts.wrong("a count of attempts"))?,
        created_at: at.field("created_at").moment()?,
        last_attempt_at: at.field("last_attempt_at").optional(At::moment)?,
        next_attempt_at: at.field("next_attempt_at").optional(At::moment)?,
        response_status: code
            .optional(At::count)?
            .map(|code| u16::try_from(code).map_err(|_| code_wrong(&code)))
            .transpose()?,
        error: at.field("error").optional(At::text)?,
    })
}

fn code_wrong(code: &u64) -> ApiError {
    ApiError::BadResponse(format!("`response_status` {code} is not an HTTP status"))
}
