//! The upstream invitation API of gateway mode: where it is, its token (which never reaches a
//! browser), and the one HTTP client that talks to it.

use axum::http::{HeaderMap, HeaderValue, Method, header};

use std::time::Duration;

use crate::auth::owner_token::ApiToken;
use crate::limits::UPSTREAM_CONNECT_TIMEOUT;

#[derive(Clone)]
pub struct Upstream {
    /// Without a trailing slash, query or fragment.
    base: String,
    /// The base as logs and start-up show it: any `user:password@` replaced.
    shown: String,
    token: ApiToken,
    client: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream must be an http:// or https:// URL without query or fragment: {0}")]
    BadUrl(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

impl Upstream {
    pub fn new(base: &str, token: ApiToken, timeout: Duration) -> Result<Self, UpstreamError> {
        let parsed = reqwest::Url::parse(base.trim_end_matches('/'))
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .filter(|url| url.host().is_some() && url.query().is_none() && url.fragment().is_none())
            .ok_or_else(|| UpstreamError::BadUrl(redact(base)))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(UPSTREAM_CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "org-invitations-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self {
            base: parsed.as_str().trim_end_matches('/').to_owned(),
            shown: redact(parsed.as_str()).trim_end_matches('/').to_owned(),
            token,
            client,
        })
    }

    /// The base URL, safe to print: credentials in it are replaced by `***`.
    pub fn redacted_base(&self) -> &str {
        &self.shown
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

/// A URL with any `user:password@` replaced by `***@`, for logs and messages.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("***");
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL: it might still hold a secret, so only its scheme is shown.
        Err(_) => format!("{}…", url.split(':').next().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_an_upstream_url_are_never_shown() {
        let token = ApiToken::parse("sss_upstream_token_0123").unwrap();
        let upstream = Upstream::new(
            "https://svc:s3cret@api.example.com/base/",
            token,
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(upstream.redacted_base(), "https://***@api.example.com/base");
        assert!(!upstream.redacted_base().contains("s3cret"));
        assert_eq!(
            redact("http://api.example.com/x"),
            "http://api.example.com/x"
        );
    }

    #[test]
    fn an_upstream_must_be_a_plain_http_url() {
        let token = || ApiToken::parse("sss_upstream_token_0123").unwrap();
        for bad in [
            "ftp://x.example",
            "api.example.com",
            "https://x.example/?a=1",
            "https://x.example/#f",
        ] {
            assert!(
                Upstream::new(bad, token(), Duration::from_secs(30)).is_err(),
                "{bad}"
            );
        }
        let error = Upstream::new("nonsense://user:pw@x", token(), Duration::from_secs(30))
            .err()
            .unwrap()
            .to_string();
        assert!(!error.contains("pw"), "{error}");
    }
}
