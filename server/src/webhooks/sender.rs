//! One delivery posted: signed (Standard Webhooks), to an address judged before connecting,
//! with no redirect followed, an answer within [`WEBHOOK_TIMEOUT`] and read only up to
//! [`MAX_WEBHOOK_ANSWER_BYTES`].

use std::sync::Arc;

use super::resolver::{Vetted, addresses_of};
use super::signature::sign;
use super::target::{Allowed, judge, judge_addresses};
use crate::limits::{MAX_WEBHOOK_ANSWER_BYTES, WEBHOOK_TIMEOUT};
use crate::store::webhooks::{ClaimedDelivery, Posted};

/// The HTTP client every delivery goes through.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allowed: Arc<Allowed>,
}

impl Sender {
    pub fn new(allowed: Allowed) -> Result<Self, String> {
        let allowed = Arc::new(allowed);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(WEBHOOK_TIMEOUT)
            .dns_resolver(Arc::new(Vetted {
                allowed: allowed.clone(),
            }))
            .user_agent(concat!(
                "org-invitations-webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|err| format!("the webhook client cannot start: {err}"))?;
        Ok(Self { client, allowed })
    }

    /// Posts `body` as `delivery`'s attempt, now.
    pub async fn post(&self, delivery: &ClaimedDelivery, body: &str) -> Posted {
        // Judged again: the operator may have narrowed what is allowed since it was added.
        let url = match judge(&delivery.url, &self.allowed) {
            Ok(url) => url,
            Err(why) => return Posted::Failed(None, why),
        };
        // Plain http must also resolve to loopback alone, which the client's resolver cannot
        // know (it sees names, not schemes); every other address rule is the resolver's, as
        // it connects, so an https name is looked up once.
        if url.scheme() == "http" {
            let judged = addresses_of(&url)
                .await
                .and_then(|addresses| judge_addresses(&url, &addresses, &self.allowed));
            if let Err(why) = judged {
                return Posted::Failed(None, why);
            }
        }
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match sign(&delivery.secrets, &delivery.message_id, timestamp, body) {
            Ok(signature) => signature,
            Err(why) => return Posted::Failed(None, why),
        };
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(err) => return Posted::Failed(None, failure(&err)),
        };
        let status = response.status();
        let code = status.as_u16();
        if status.is_success() {
            return Posted::Delivered(code);
        }
        if status.is_redirection() {
            let target = response
                .headers()
                .get("location")
                .and_then(|location| location.to_str().ok())
                .unwrap_or("elsewhere");
            return Posted::Failed(
                Some(code),
                format!("Answered {code}, redirecting to {target}: redirects are not followed"),
            );
        }
        let mut answer = Vec::new();
        while answer.len() < MAX_WEBHOOK_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
                _ => break,
            }
        }
        answer.truncate(MAX_WEBHOOK_ANSWER_BYTES);
        let text = String::from_utf8_lossy(&answer);
        let text: String = text.trim().chars().take(200).collect();
        Posted::Failed(
            Some(code),
            if text.is_empty() {
                format!("Answered {code}")
            } else {
                format!("Answered {code}: {text}")
            },
        )
    }
}

/// What went wrong, in words, with the causes reqwest keeps beneath its own.
fn failure(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return format!("No answer within {} s", WEBHOOK_TIMEOUT.as_secs());
    }
    let mut why = if err.is_connect() {
        "Cannot connect".to_owned()
    } else {
        "The request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    let mut last = String::new();
    while let Some(cause) = source {
        let text = cause.to_string();
        if text != last {
            why.push_str(": ");
            why.push_str(&text);
            last = text;
        }
        source = cause.source();
    }
    why
}
