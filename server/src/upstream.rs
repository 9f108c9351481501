//! The upstream invitation API of gateway mode: where it is, its token (which never reaches a
//! browser), and the one HTTP client that talks to it.

use axum::http::{HeaderMap, HeaderValue, Method, header};

use crate::limits::{UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_TIMEOUT};
use crate::token::ApiToken;

#[derive(Clone)]
pub struct Upstream {
    /// Without a trailing slash.
    base: String,
    token: ApiToken,
    client: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream URL must start with http:// or https://: {0}")]
    BadUrl(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

impl Upstream {
    pub fn new(base: &str, token: ApiToken) -> Result<Self, UpstreamError> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(UpstreamError::BadUrl(base.to_owned()));
        }
        let client = reqwest::Client::builder()
            .timeout(UPSTREAM_TIMEOUT)
            .connect_timeout(UPSTREAM_CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "org-invitations-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self {
            base: base.to_owned(),
            token,
            client,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends one request to `path_and_query` under the base, with the upstream's own
    /// credentials as the Anyscale CLI sends them (the `cli_token` cookie).
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        content_type: Option<HeaderValue>,
        body: axum::body::Bytes,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut headers = HeaderMap::new();
        if let Ok(cookie) = HeaderValue::from_str(&format!("cli_token={}", self.token.reveal())) {
            headers.insert(header::COOKIE, cookie);
        }
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(content_type) = content_type {
            headers.insert(header::CONTENT_TYPE, content_type);
        }
        self.client
            .request(method, format!("{}{path_and_query}", self.base))
            .headers(headers)
            .body(body)
            .send()
            .await
    }
}
