//! The credential check in front of every API route: `Authorization: Bearer <token>` (scripts,
//! embedding hosts), the `cli_token` cookie (the Anyscale CLI), a session cookie (browsers
//! signed in through the start-up URL, which never see the token), or the address an
//! authenticating proxy puts in a header (`--auth-proxy-header`, from `--trusted-proxy`
//! addresses only). A token is the owner's or a named one. A request carries exactly one
//! credential, and proves an [`Identity`].
//!
//! Cookies are sent by browsers on their own, also when another site makes the browser send a
//! request. So a cookie-authenticated request that changes something must come from this
//! server's own pages (or an allowed origin) and carry JSON, which a form on another site
//! cannot send without the browser asking first.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;

use crate::auth::identity::{AuthMethod, Identity};
use crate::client_address::address_of;
use crate::error::ApiError;
use crate::limits::MAX_SESSION_COOKIES;
use crate::state::Site;
use crate::telemetry::LoggedActor;
use crate::telemetry::{self, Refusal};

pub const TOKEN_COOKIE: &str = "cli_token";
/// The session cookie over plain HTTP (loopback, or behind a proxy that says nothing).
pub const SESSION_COOKIE: &str = "oi_session";
/// The session cookie over HTTPS: `__Host-` makes the browser insist on `Secure`, `Path=/`
/// and no `Domain`, so no sibling host can set or read it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-oi_session";

/// One credential, as presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    Bearer(&'a str),
    /// A token as the `cli_token` cookie.
    Cookie(&'a str),
    /// A browser session's id.
    Session(&'a str),
    /// The address an authenticating proxy put in the configured header.
    Proxy(&'a str),
}

impl Credential<'_> {
    /// Credentials a browser sends on its own, whoever's page asks it to: changes made with
    /// them must come from the console's own pages.
    fn sent_by_browsers(self) -> bool {
        !matches!(self, Credential::Bearer(_))
    }
}

/// Finds who is calling, from exactly one credential, and puts the [`Identity`] on the
/// request for the handlers; refuses everything else. Only the request's head is looked at:
/// its body is read after this (`request_size::buffer_body`), for callers who are known.
pub async fn authenticate(State(site): State<Site>, mut request: Request, next: Next) -> Response {
    let peer = address_of(&request);
    let client = match peer
        .map(|peer| site.client_of(peer, request.headers()))
        .transpose()
    {
        Ok(client) => client,
        Err(unreadable) => {
            return refuse_stranger(request, ApiError::from(unreadable).into_response()).await;
        }
    };
    // A client that failed too often is refused before any credential is looked at.
    if !site.proxy_vouches(peer, request.headers())
        && let Some(client) = client
        && let Err(too_many) = site.limits.blocked(client)
    {
        telemetry::refusal(Refusal::TooManyFailures);
        return refuse_stranger(request, too_many.into_response()).await;
    }
    match identity_of(&site, request.headers(), request.method(), peer).await {
        Ok(identity) => {
            let actor = LoggedActor(identity.actor.clone());
            request.extensions_mut().insert(identity);
            let mut response = next.run(request).await;
            response.extensions_mut().insert(actor);
            response
        }
        Err(refused) => {
            if refused.status == StatusCode::UNAUTHORIZED {
                telemetry::refusal(Refusal::Unauthorized);
                if let Some(client) = client
                    && let Err(too_many) = site.limits.failed(client)
                {
                    telemetry::refusal(Refusal::TooManyFailures);
                    return refuse_stranger(request, too_many.into_response()).await;
                }
            } else if refused.status == StatusCode::FORBIDDEN {
                telemetry::refusal(Refusal::CrossSite);
            }
            refuse_stranger(request, refused.into_response()).await
        }
    }
}

async fn refuse_stranger(request: Request, answer: Response) -> Response {
    crate::unread::answer_stranger(request, answer).await
}

/// Who sent a request with these `headers` from `peer`, from exactly one credential, or why it
/// is refused.
async fn identity_of(
    site: &Site,
    headers: &HeaderMap,
    method: &Method,
    peer: Option<std::net::IpAddr>,
) -> Result<Identity, ApiError> {
    let identity = {
        let mut presented = presented_credentials(headers);
        if let Some(proxy) = &site.proxy
            && let Some(value) = headers.get(&proxy.header)
        {
            // A proxy that appends its header instead of replacing the client's leaves two
            // values (or one combined with a comma): neither may win.
            if headers.get_all(&proxy.header).iter().count() > 1 || value.as_bytes().contains(&b',')
            {
                return Err(ApiError::bad_request(format!(
                    "The {} header must come once, with one address: the login proxy must \
                     replace any value the client sent, not add to it",
                    proxy.header
                )));
            }
            if !peer.is_some_and(|peer| proxy.trusted.contains(&peer)) {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    format!(
                        "The {} header is accepted only from the trusted proxy; this request came from elsewhere",
                        proxy.header
                    ),
                ));
            }
            presented.push(Credential::Proxy(value.to_str().unwrap_or("")));
        }
        // Session cookies count as one credential however many there are: a page on another
        // port of this host can set one of the same name (cookies know no ports), which the
        // browser then sends beside the real one. The one naming a live session is used.
        let sessions: Vec<&str> = presented
            .iter()
            .filter_map(|credential| match credential {
                Credential::Session(id) => Some(*id),
                _ => None,
            })
            .take(MAX_SESSION_COOKIES)
            .collect();
        presented.retain(|credential| !matches!(credential, Credential::Session(_)));
        if let Some(live) = live_session(site, &sessions).await? {
            presented.push(Credential::Session(live));
        } else if let Some(first) = sessions.first() {
            presented.push(Credential::Session(first));
        }
        let credential = match presented.as_slice() {
            [] => return Err(ApiError::unauthorized()),
            [one] => *one,
            _ => {
                return Err(ApiError::bad_request(
                    "Send exactly one credential: one Authorization header, one cli_token cookie or a session cookie",
                ));
            }
        };
        if credential.sent_by_browsers() && !site.public_hosts.allow(headers) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This server is not known by the name this request gives it: a request signed \
                 in by cookie or by the login proxy must name the server as it is published \
                 (start it with --public-origin for a name of its own)",
            ));
        }
        let identity = identify(site, credential)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if credential.sent_by_browsers() && changes_something(method) {
            refuse_cross_site(headers, &site.allowed_origins)?;
            require_json_body(headers)?;
        }
        identity
    };
    Ok(identity)
}

/// The first of `sessions` that names a live session, if any.
async fn live_session<'a>(site: &Site, sessions: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
    if sessions.len() < 2 {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    for id in sessions {
        if site
            .store
            .session_is_valid(id, now, site.token.generation())
            .await?
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The identity a credential proves, or `None` when it proves nothing.
async fn identify(site: &Site, credential: Credential<'_>) -> Result<Option<Identity>, ApiError> {
    let now = chrono::Utc::now();
    Ok(match credential {
        Credential::Bearer(token) | Credential::Cookie(token) => {
            if site.token.matches(token) {
                Some(Identity::owner(AuthMethod::OwnerToken))
            } else {
                site.store
                    .find_token(token, now)
                    .await?
                    .map(|(name, role)| Identity {
                        actor: format!("token:{name}"),
                        method: AuthMethod::NamedToken,
                        role: Some(role),
                    })
            }
        }
        Credential::Session(id) => site
            .store
            .session_is_valid(id, now, site.token.generation())
            .await?
            .then(|| Identity::owner(AuthMethod::Session)),
        Credential::Proxy(address) => {
            let roles = site.proxy.as_ref().map(|proxy| &proxy.roles);
            let address = org_invitations_core::email::normalize(address).map_err(|_| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "The proxy named no valid address for the signed-in person",
                )
            })?;
            // One person is one actor however the proxy spells the address, for the limits
            // and the trail alike.
            Some(Identity {
                role: roles.and_then(|roles| roles.role_of(&address)),
                actor: org_invitations_core::email::comparison_key(&address),
                method: AuthMethod::Proxy,
            })
        }
    })
}

fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Every credential the request carries, bearer first. The session cookie counts only under
/// its name for the scheme the browser used: over HTTPS `__Host-oi_session` (which no sibling
/// host can set), over HTTP `oi_session`; a cookie of the other name is not read, so one that
/// a sibling host planted cannot make every request carry two credentials.
pub fn presented_credentials(headers: &HeaderMap) -> Vec<Credential<'_>> {
    let session_cookie = if over_https(headers) {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    let bearer = headers
        .get_all(header::AUTHORIZATION)
        .into_iter()
        .map(|value| {
            value
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(str::trim)
                // An Authorization header of another scheme still counts, and fails.
                .unwrap_or("")
        })
        .map(Credential::Bearer);
    let cookies = headers
        .get_all(header::COOKIE)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter_map(|(name, value)| {
            let value = value.trim_matches('"');
            if name == TOKEN_COOKIE {
                Some(Credential::Cookie(value))
            } else if name == session_cookie {
                Some(Credential::Session(value))
            } else {
                None
            }
        });
    bearer.chain(cookies).collect()
}

/// Refuses a request that a page of another site made the browser send: its `Origin` (or,
/// without one, `Sec-Fetch-Site`) must be this server's own origin or an allowed one. A
/// request with neither header comes from a program, not a page, and passes.
fn refuse_cross_site(headers: &HeaderMap, allowed: &[HeaderValue]) -> Result<(), ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Cross-site request refused: changes signed in by cookie must come from this console's own pages",
        )
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        if allowed.contains(origin) {
            return Ok(());
        }
        let authority = origin
            .to_str()
            .ok()
            .and_then(|origin| {
                origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"))
            })
            .ok_or_else(refused)?;
        let host = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok());
        return if host.is_some_and(|host| host.eq_ignore_ascii_case(authority)) {
            Ok(())
        } else {
            Err(refused())
        };
    }
    match headers
        .get("sec-fetch-site")
        .map(|site| site.to_str().unwrap_or(""))
    {
        None | Some("same-origin") | Some("none") => Ok(()),
        Some(_) => Err(refused()),
    }
}

/// A body, if any, must be declared JSON: forms (urlencoded, multipart, text/plain) are what
/// another site can make a browser send without asking.
fn require_json_body(headers: &HeaderMap) -> Result<(), ApiError> {
    let has_body = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .is_some_and(|length| length.trim() != "0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    let content_type = headers.get(header::CONTENT_TYPE);
    if !has_body && content_type.is_none() {
        return Ok(());
    }
    let is_json = content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Request bodies must be JSON (Content-Type: application/json)",
        ))
    }
}

/// The `Set-Cookie` value that signs a browser in: not readable by scripts, never sent by
/// other sites, gone when the browser session ends (and the session itself expires on the
/// server); over HTTPS only ever sent over HTTPS.
pub fn session_cookie(session_id: &str, https: bool) -> String {
    if https {
        format!("{SECURE_SESSION_COOKIE}={session_id}; HttpOnly; Secure; SameSite=Strict; Path=/")
    } else {
        format!("{SESSION_COOKIE}={session_id}; HttpOnly; SameSite=Strict; Path=/")
    }
}

/// `Set-Cookie` values that make a browser forget either session cookie.
pub fn cleared_session_cookies() -> [String; 2] {
    [
        format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        format!("{SECURE_SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"),
    ]
}

/// Whether the browser reached this server over HTTPS, as a TLS-terminating proxy in front of
/// it says: the first (the browser's) hop of `Forwarded: proto=` or `X-Forwarded-Proto`, which
/// proxies may repeat or list (`https,https`). Trusting the header costs nothing: it can only
/// make the cookie stricter.
pub fn over_https(headers: &HeaderMap) -> bool {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(str::trim)
    };
    let forwarded = first("forwarded").and_then(|element| {
        element.split(';').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("proto")
                .then(|| value.trim().trim_matches('"'))
        })
    });
    forwarded
        .or_else(|| first("x-forwarded-proto"))
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name.clone(), HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn finds_bearer_cookie_and_session_credentials() {
        let headers = headers(&[
            (header::AUTHORIZATION, "Bearer sss_one"),
            (
                header::COOKIE,
                "theme=dark; cli_token=sss_two; oi_session=ses_3",
            ),
            (header::COOKIE, "__Host-oi_session=ses_4; oi_session=ses_5"),
        ]);
        assert_eq!(
            presented_credentials(&headers),
            [
                Credential::Bearer("sss_one"),
                Credential::Cookie("sss_two"),
                Credential::Session("ses_3"),
                Credential::Session("ses_5"),
            ]
        );
    }

    #[test]
    fn over_https_only_the_secure_session_cookie_counts() {
        let headers = headers(&[
            (
                header::HeaderName::from_static("x-forwarded-proto"),
                "https,https",
            ),
            (
                header::COOKIE,
                "oi_session=planted; __Host-oi_session=ses_4",
            ),
        ]);
        assert_eq!(
            presented_credentials(&headers),
            [Credential::Session("ses_4")]
        );
    }

    #[test]
    fn other_cookies_are_no_credential_but_other_schemes_count_and_fail() {
        let headers = headers(&[
            (header::AUTHORIZATION, "Basic c3NzX29uZQ=="),
            (header::COOKIE, "my_cli_token=sss_x"),
        ]);
        assert_eq!(presented_credentials(&headers), [Credential::Bearer("")]);
    }

    #[test]
    fn only_the_own_origin_or_an_allowed_one_may_write_by_cookie() {
        let allowed = [HeaderValue::from_static("https://admin.example.com")];
        let own = headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://127.0.0.1:8080"),
        ]);
        assert!(refuse_cross_site(&own, &allowed).is_ok());
        let listed = headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "https://admin.example.com"),
        ]);
        assert!(refuse_cross_site(&listed, &allowed).is_ok());
        for origin in ["https://evil.example", "null", "http://127.0.0.1:9090"] {
            let other = headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, origin)]);
            assert!(refuse_cross_site(&other, &allowed).is_err(), "{origin}");
        }
        let fetch = |site: &'static str| {
            refuse_cross_site(
                &headers(&[(header::HeaderName::from_static("sec-fetch-site"), site)]),
                &allowed,
            )
        };
        assert!(fetch("same-origin").is_ok() && fetch("none").is_ok());
        assert!(fetch("cross-site").is_err() && fetch("same-site").is_err());
        assert!(refuse_cross_site(&HeaderMap::new(), &allowed).is_ok());
    }

    #[test]
    fn bodies_sent_by_cookie_must_be_json() {
        let json = headers(&[
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_LENGTH, "2"),
        ]);
        assert!(require_json_body(&json).is_ok());
        assert!(require_json_body(&HeaderMap::new()).is_ok());
        for form in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let sent = headers(&[(header::CONTENT_TYPE, form), (header::CONTENT_LENGTH, "9")]);
            assert!(require_json_body(&sent).is_err(), "{form}");
        }
        let untyped = headers(&[(header::CONTENT_LENGTH, "9")]);
        assert!(require_json_body(&untyped).is_err());
    }
}
