//! One typed client for the whole invitation API (documented in `docs/api.md`).

mod read;
pub mod webhooks;

use gloo_net::http::{Request, RequestBuilder, Response};
use org_invitations_core::OrganizationInvitation;
use org_invitations_core::wire::{
    AuditPage, BatchCreateResponse, CreateInvitation, ListResponse, Me, ResultBody, paths,
};
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, RequestCredentials};

/// Page size when fetching everything: this project's server allows up to 1000, which makes
/// 10,000 invitations ten requests instead of two hundred.
pub const PAGE_SIZE: u32 = 1000;
/// The largest page the Anyscale SDK asks for: what any server of the contract accepts. Used
/// when a server refuses [`PAGE_SIZE`].
pub const SDK_PAGE_SIZE: u32 = 50;

/// What can go wrong talking to the API; [`ApiError::in_words`] says it in the viewer's
/// language (English: `docs/strings.md`, the `error.*` keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (`error.unreachable`).
    Unreachable,
    /// The server refused the API token (`error.signed_out`).
    SignedOut,
    /// The server answered with an error: its status and its own text (`error.server`).
    Server { status: u16, detail: String },
    /// An answer the console cannot read (`error.bad_response`).
    BadResponse(String),
    /// Sent, and no answer came in [`ANSWER_TIMEOUT_MS`]: a hung server or network
    /// (`error.no_answer`).
    NoAnswer,
    /// Nothing was sent: the browser refused the request as the console built it
    /// (`error.unsendable`).
    Unsendable(String),
}

impl ApiError {
    /// The error as the console words it: its own sentence for the kind of error, with the
    /// server's text kept as the detail where there is one.
    pub fn in_words(&self) -> String {
        use crate::i18n::words::{key, t, tf};
        match self {
            Self::Unreachable => t(key!("error.unreachable")),
            Self::SignedOut => t(key!("error.signed_out")),
            Self::Server { status, detail } => tf(
                key!("error.server"),
                &[("detail", detail), ("status", &status.to_string())],
            ),
            Self::BadResponse(detail) => tf(key!("error.bad_response"), &[("detail", detail)]),
            Self::NoAnswer => t(key!("error.no_answer")),
            Self::Unsendable(detail) => tf(key!("error.unsendable"), &[("detail", detail)]),
        }
    }

    /// The server could not be reached or said it was briefly unable to answer (502, 503,
    /// 504): the same request may well succeed later.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            Self::Unreachable
                | Self::NoAnswer
                | Self::Server {
                    status: 502..=504,
                    ..
                }
        )
    }

    /// Whether a change this error answered may have been made all the same: the request may
    /// have reached the server (no answer, an answer that could not be read, or a server
    /// error that does not promise "nothing was changed", as a 503 does).
    pub fn change_may_have_happened(&self) -> bool {
        matches!(
            self,
            Self::Unreachable
                | Self::NoAnswer
                | Self::BadResponse(_)
                | Self::Server {
                    status: 500..=502 | 504..,
                    ..
                }
        )
    }
}

/// Which audit records to list; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// One address (compared as the server compares addresses).
    pub email: String,
    /// An actor exactly as recorded: an address, `token:NAME` or `owner`.
    pub actor: String,
}

impl AuditFilter {
    fn query(&self, paging_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        for (name, value) in [("email", &self.email), ("actor", &self.actor)] {
            if !value.trim().is_empty() {
                query.push((name, value.trim().to_owned()));
            }
        }
        if let Some(token) = paging_token {
            query.push(("paging_token", token.to_owned()));
        }
        query
    }
}

/// Which invitations to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Also list invitations that expired unaccepted (this project's server; others ignore it).
    pub include_expired: bool,
}

/// A host's function that returns a token (or a promise of one); called for the first
/// request and again whenever the server refuses the token it gave.
pub type TokenProvider = SendWrapper<js_sys::Function>;

/// A question to the host's function that requests may wait for together.
type TokenQuestion = Shared<LocalBoxFuture<'static, Option<String>>>;

/// Asks the host's function for a token.
async fn ask(provider: TokenProvider) -> Option<String> {
    let answer = provider.call0(&wasm_bindgen::JsValue::NULL).ok()?;
    let answer = match answer.dyn_into::<js_sys::Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok()?,
        Err(value) => value,
    };
    answer.as_string().filter(|token| !token.is_empty())
}

/// Answers "too many requests" (429) one request waits out before it gives up: enough for a
/// long bulk action that shares a small limit with others.
const MOST_WAITS: usize = 30;
/// The longest wait it accepts from `Retry-After`, in seconds.
const LONGEST_WAIT: u32 = 60;

/// How long a request may go unanswered before the console gives up on it (a server or
/// network that hangs), in milliseconds: longer than a gateway's own wait for its upstream
/// (30 s by default), whose 504 says more.
const ANSWER_TIMEOUT_MS: u32 = 45_000;

/// Hears the seconds left while the console waits out a 429, then `None`.
#[derive(Clone)]
pub struct WaitNotice(pub Arc<dyn Fn(Option<u32>) + Send + Sync>);

impl std::fmt::Debug for WaitNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitNotice")
    }
}

/// The API at one base URL, authenticated by a bearer token or by the browser's cookies.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    token: Arc<Mutex<Option<String>>>,
    token_provider: Option<TokenProvider>,
    /// The question to the host's function in flight, if any.
    asking: Arc<Mutex<Option<SendWrapper<TokenQuestion>>>>,
    waiting: Option<WaitNotice>,
}

impl ApiClient {
    pub fn new(base: impl Into<String>, token: Option<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            token: Arc::new(Mutex::new(token)),
            token_provider: None,
            asking: Arc::new(Mutex::new(None)),
            waiting: None,
        }
    }

    /// Tells `notice` the seconds left while a 429 is waited out, so people see why nothing
    /// moves.
    pub fn with_wait_notice(mut self, notice: WaitNotice) -> Self {
        self.waiting = Some(notice);
        self
    }

    /// When `sent` is a 429, waits as long as it asks (counting down aloud) and says so.
    async fn waited_out(&self, sent: &Result<Response, ApiError>) -> bool {
        let Ok(response) = sent else { return false };
        if response.status() != 429 {
            return false;
        }
        let seconds = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.trim().parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, LONGEST_WAIT);
        self.wait_out(seconds).await;
        true
    }

    /// Waits `seconds`, counting down aloud.
    async fn wait_out(&self, seconds: u32) {
        for left in (1..=seconds).rev() {
            if let Some(notice) = &self.waiting {
                (notice.0)(Some(left));
            }
            sleep_ms(1000).await;
        }
        if let Some(notice) = &self.waiting {
            (notice.0)(None);
        }
    }

    /// Tokens come from the host's function: asked once, and again after a 401.
    pub fn with_token_provider(mut self, provider: TokenProvider) -> Self {
        self.token_provider = Some(provider);
        self
    }

    fn stored_token(&self) -> Option<String> {
        self.token.lock().ok().and_then(|token| token.clone())
    }

    /// The token to send: the one held, or (when there is none yet, or `refused` is the one
    /// held) a fresh one from the host's function. Requests that need one at the same time
    /// share one question: the host is asked once, not once per request.
    async fn token(&self, refused: Option<&str>) -> Option<String> {
        let held = self.stored_token();
        let Some(provider) = &self.token_provider else {
            return held;
        };
        if held.is_some() && held.as_deref() != refused {
            return held;
        }
        let question = {
            let Ok(mut asking) = self.asking.lock() else {
                return held;
            };
            match asking.as_ref() {
                Some(pending) => (**pending).clone(),
                None => {
                    let question = ask(provider.clone()).boxed_local().shared();
                    *asking = Some(SendWrapper::new(question.clone()));
                    question
                }
            }
        };
        let fresh = question.await;
        if let Ok(mut token) = self.token.lock() {
            token.clone_from(&fresh);
        }
        if let Ok(mut asking) = self.asking.lock() {
            *asking = None;
        }
        fresh
    }

    /// Sends a request built by `make`, with the token; a 401 with a token provider asks it
    /// for a fresh token and tries once more. `abort` cancels it (the answer is then an error).
    async fn send<T: DeserializeOwned>(
        &self,
        make: impl Fn() -> RequestBuilder,
        body: Option<&str>,
        abort: Option<&AbortSignal>,
    ) -> Result<T, ApiError> {
        let parsed = self.send_json(&make, body, abort).await?;
        serde_wasm_bindgen::from_value(parsed).map_err(|err| ApiError::BadResponse(err.to_string()))
    }

    /// [`Self::send`]'s answer as the browser parsed it, for the first screen's answers, which
    /// `read` reads by hand.
    async fn send_json(
        &self,
        make: &dyn Fn() -> RequestBuilder,
        body: Option<&str>,
        abort: Option<&AbortSignal>,
    ) -> Result<wasm_bindgen::JsValue, ApiError> {
        parsed_json(self.answer(make, body, abort).await?).await
    }

    /// Sends a request built by `make`, with the token, and returns a successful answer; a
    /// 401 with a token provider asks it for a fresh token and tries once more. `abort`
    /// cancels it (the answer is then an error).
    async fn answer(
        &self,
        // Not generic: one copy of the sending code serves every request (it is kilobytes).
        make: &dyn Fn() -> RequestBuilder,
        // JSON text.
        body: Option<&str>,
        abort: Option<&AbortSignal>,
    ) -> Result<Response, ApiError> {
        let attempt = |token: Option<String>| {
            // One credential per request (the server refuses more): the token when there is
            // one, else the page's own cookies, which go to its own origin only.
            let builder = make()
                .credentials(credentials_for(token.is_some()))
                .abort_signal(abort);
            let builder = match token {
                Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
                None => builder,
            };
            match body {
                Some(json) => builder
                    .header("Content-Type", "application/json")
                    .body(json),
                None => builder.build(),
            }
            .map_err(|err| ApiError::Unsendable(err.to_string()))
        };
        let mut token = self.token(None).await;
        let mut sent = in_time(attempt(token.clone())?).await;
        // "Too many requests": wait as the server says, then carry on.
        for _ in 0..MOST_WAITS {
            if !self.waited_out(&sent).await {
                break;
            }
            token = self.token(None).await;
            sent = in_time(attempt(token.clone())?).await;
        }
        let first = successful(sent).await;
        match first {
            Err(ApiError::SignedOut) if self.token_provider.is_some() => {
                let fresh = self.token(Some(token.as_deref().unwrap_or(""))).await;
                successful(in_time(attempt(fresh)?).await).await
            }
            other => other,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The caller's organization's name, from `userinfo`. Only that field is read: the
    /// whole [`org_invitations_core::wire::UserInfo`] would cost the console kilobytes.
    pub async fn organization_name(&self) -> Result<Option<String>, ApiError> {
        let answer = self
            .send_json(&|| Request::get(&self.url(paths::USERINFO)), None, None)
            .await?;
        read::organization_name(answer)
    }

    /// One page of at most `count` invitations.
    pub async fn list_page(
        &self,
        options: ListOptions,
        count: u32,
        paging_token: Option<&str>,
        abort: Option<&AbortSignal>,
    ) -> Result<ListResponse, ApiError> {
        let count = count.to_string();
        let mut query = vec![("count", count.as_str())];
        if options.include_expired {
            query.push(("include_expired", "true"));
        }
        if let Some(token) = paging_token {
            query.push(("paging_token", token));
        }
        let url = self.url(paths::INVITATIONS);
        let answer = self
            .send_json(
                &|| Request::get(&url).query(query.iter().copied()),
                None,
                abort,
            )
            .await?;
        read::list_response(answer)
    }

    /// Every invitation, following `next_paging_token` to the end, handed to `on_page` a page
    /// at a time (with, when the server says, how many there are in all), so a list can show
    /// the first rows while the rest are on their way; `abort` cancels the page in flight and
    /// the rest. Returns how many arrived.
    pub async fn list_all(
        &self,
        options: ListOptions,
        abort: Option<&AbortSignal>,
        mut on_page: impl FnMut(Vec<OrganizationInvitation>, Option<u64>),
    ) -> Result<usize, ApiError> {
        let mut arrived = 0;
        let mut count = PAGE_SIZE;
        let mut page = loop {
            match self.list_page(options, count, None, abort).await {
                // A server that caps pages lower refuses the size: ask as the SDK does.
                Err(ApiError::Server {
                    status: 400 | 422, ..
                }) if count != SDK_PAGE_SIZE => count = SDK_PAGE_SIZE,
                other => break other?,
            }
        };
        let mut token: Option<String> = None;
        loop {
            let next = page.metadata.next_paging_token.take();
            // A server that hands back the token it was given would loop forever.
            if next.is_some() && next == token {
                return Err(ApiError::BadResponse(
                    "the server repeated a paging token".into(),
                ));
            }
            arrived += page.results.len();
            let (results, total) = (page.results, page.metadata.total);
            let Some(next) = next else {
                on_page(results, total);
                return Ok(arrived);
            };
            // The next page is asked for before this one is handed on: the request travels
            // while the list takes this page in.
            let (following, ()) =
                futures::future::join(self.list_page(options, count, Some(&next), abort), async {
                    on_page(results, total)
                })
                .await;
            page = following?;
            token = Some(next);
        }
    }

    /// Invites each address, with its mail and page in `locale` where this project's server
    /// sends the mail (nothing is added for other servers); the answer holds one result per
    /// address, in order.
    pub async fn batch_create(
        &self,
        emails: &[String],
        locale: Option<&str>,
    ) -> Result<BatchCreateResponse, ApiError> {
        let body: Vec<CreateInvitation> = emails
            .iter()
            .map(|email| CreateInvitation {
                email: email.clone(),
                locale: locale.map(str::to_owned),
            })
            .collect();
        let body = serde_wasm_bindgen::to_value(&body)
            .ok()
            .and_then(|value| js_sys::JSON::stringify(&value).ok())
            .and_then(|text| text.as_string())
            .ok_or_else(|| {
                ApiError::Unsendable("the addresses cannot be written as JSON".into())
            })?;
        self.send(
            || Request::post(&self.url(paths::BATCH_CREATE)),
            Some(&body),
            None,
        )
        .await
    }

    /// Who the caller is (this project's server; others answer 404).
    pub async fn me(&self) -> Result<Me, ApiError> {
        let answer = self
            .send_json(&|| Request::get(&self.url(paths::ME)), None, None)
            .await?;
        read::me(answer)
    }

    /// One page of the audit trail, newest first (admins, this project's server).
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        paging_token: Option<&str>,
    ) -> Result<AuditPage, ApiError> {
        let query = filter.query(paging_token);
        let url = self.url(paths::AUDIT);
        self.send(
            || Request::get(&url).query(query.iter().map(|(k, v)| (*k, v.as_str()))),
            None,
            None,
        )
        .await
    }

    /// The newest records of the audit trail (up to 1,000) for `filter`, as CSV.
    pub async fn audit_csv(&self, filter: &AuditFilter) -> Result<String, ApiError> {
        let mut query = filter.query(None);
        query.push(("count", "1000".to_owned()));
        let url = self.url(paths::AUDIT);
        let make = || {
            Request::get(&url)
                .query(query.iter().map(|(k, v)| (*k, v.as_str())))
                .header("Accept", "text/csv")
        };
        self.answer(&make, None, None)
            .await?
            .text()
            .await
            .map_err(|err| ApiError::BadResponse(err.to_string()))
    }

    /// Ends the browser's session on this project's server.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        self.answer(&|| Request::post(&self.url(paths::SIGN_OUT)), None, None)
            .await
            .map(drop)
    }

    /// Revokes one invitation with a request that outlives the page (the page is closing);
    /// nobody will read the answer.
    pub fn invalidate_on_leave(&self, id: &str) {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        // web-sys has no setter for `keepalive`; the init is a plain dictionary object.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
        let token = self.stored_token();
        init.set_credentials(credentials_for(token.is_some()));
        if let Some(token) = token
            && let Ok(headers) = web_sys::Headers::new()
        {
            let _ = headers.set("Authorization", &format!("Bearer {token}"));
            init.set_headers(&headers);
        }
        if let Some(window) = web_sys::window() {
            let _ = window.fetch_with_str_and_init(&self.url(&paths::invalidate(id)), &init);
        }
    }

    /// Replaces an invitation by a fresh one to the same address in one step (this project's
    /// server; `me` says whether it offers it) and returns the new one.
    pub async fn resend(&self, id: &str) -> Result<OrganizationInvitation, ApiError> {
        self.send::<ResultBody<OrganizationInvitation>>(
            || Request::post(&self.url(&paths::resend(id))),
            None,
            None,
        )
        .await
        .map(|body| body.result)
    }

    /// A fresh link to an open invitation (this project's server); the one before it ends.
    pub async fn copy_link(
        &self,
        id: &str,
    ) -> Result<org_invitations_core::wire::InvitationLink, ApiError> {
        self.send::<ResultBody<org_invitations_core::wire::InvitationLink>>(
            || Request::post(&self.url(&paths::link(id))),
            None,
            None,
        )
        .await
        .map(|body| body.result)
    }

    /// Revokes one invitation and returns it as it was.
    pub async fn invalidate(&self, id: &str) -> Result<OrganizationInvitation, ApiError> {
        self.send::<ResultBody<OrganizationInvitation>>(
            || Request::post(&self.url(&paths::invalidate(id))),
            None,
            None,
        )
        .await
        .map(|body| body.result)
    }
}

/// Resolves `ms` milliseconds from now (the browser's timer).
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let ms = i32::try_from(ms).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// With a token, no cookies: a request carries one credential.
fn credentials_for(has_token: bool) -> RequestCredentials {
    if has_token {
        RequestCredentials::Omit
    } else {
        RequestCredentials::SameOrigin
    }
}

/// Sends `request`; no answer in [`ANSWER_TIMEOUT_MS`] is [`ApiError::NoAnswer`].
async fn in_time(request: Request) -> Result<Response, ApiError> {
    let sending = Box::pin(request.send());
    let waiting = Box::pin(sleep_ms(ANSWER_TIMEOUT_MS));
    match futures::future::select(sending, waiting).await {
        futures::future::Either::Left((sent, _)) => sent.map_err(|_| ApiError::Unreachable),
        futures::future::Either::Right(_) => Err(ApiError::NoAnswer),
    }
}

/// A response's body parsed as JSON by the browser's own parser (no JSON parser of our own in
/// the module: it cost kilobytes).
async fn parsed_json(response: Response) -> Result<wasm_bindgen::JsValue, ApiError> {
    let unreadable = |err: wasm_bindgen::JsValue| {
        ApiError::BadResponse(
            err.dyn_ref::<js_sys::Error>()
                .map(|err| String::from(err.message()))
                .unwrap_or_else(|| "not JSON".into()),
        )
    };
    let parsing = web_sys::Response::from(response)
        .json()
        .map_err(unreadable)?;
    wasm_bindgen_futures::JsFuture::from(parsing)
        .await
        .map_err(unreadable)
}

/// A successful response, or what went wrong in an [`ApiError`].
async fn successful(sent: Result<Response, ApiError>) -> Result<Response, ApiError> {
    let response = sent?;
    let status = response.status();
    if response.ok() {
        return Ok(response);
    }
    if status == 401 {
        return Err(ApiError::SignedOut);
    }
    let status_text = response.status_text();
    let detail = parsed_json(response)
        .await
        .ok()
        .and_then(read::error_detail)
        .unwrap_or_else(|| {
            crate::i18n::words::tf(
                crate::i18n::words::key!("error.answered"),
                &[("status", &status.to_string()), ("text", &status_text)],
            )
        });
    Err(ApiError::Server { status, detail })
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    fn server(status: u16) -> ApiError {
        ApiError::Server {
            status,
            detail: String::new(),
        }
    }

    /// What a person is told after a change depends on this: "failed" only when the change
    /// surely was not made, "unknown" when it may have been.
    #[test]
    fn a_lost_or_unreadable_answer_may_hide_a_change_a_refusal_does_not() {
        for maybe in [
            ApiError::Unreachable,
            ApiError::NoAnswer,
            ApiError::BadResponse("not JSON".into()),
            server(500),
            server(502),
            server(504),
        ] {
            assert!(maybe.change_may_have_happened(), "{maybe:?}");
        }
        for surely_not in [
            ApiError::SignedOut,
            ApiError::Unsendable("bad header".into()),
            server(400),
            server(403),
            server(404),
            server(409),
            server(422),
            server(429),
            // This server answers 503 only when nothing was changed.
            server(503),
        ] {
            assert!(!surely_not.change_may_have_happened(), "{surely_not:?}");
        }
    }

    /// Deletions and the list wait for these and try again; anything else is an answer.
    #[test]
    fn only_an_absent_or_briefly_unavailable_server_is_worth_waiting_for() {
        for temporary in [
            ApiError::Unreachable,
            ApiError::NoAnswer,
            server(502),
            server(503),
            server(504),
        ] {
            assert!(temporary.is_temporary(), "{temporary:?}");
        }
        for answer in [
            ApiError::SignedOut,
            ApiError::BadResponse(String::new()),
            server(500),
            server(404),
            server(403),
        ] {
            assert!(!answer.is_temporary(), "{answer:?}");
        }
    }
}
