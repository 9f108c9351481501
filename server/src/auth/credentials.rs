//! The credentials a request can present: `Authorization: Bearer <token>` (scripts, embedding
//! hosts), the `cli_token` cookie (the Anyscale CLI), a session cookie (browsers signed in
//! through the start-up URL, which never see the token), or the address an authenticating
//! proxy puts in a header (`--auth-proxy-header`). Finding which one proves whom is
//! `crate::auth::authenticate`'s.

use axum::http::{HeaderMap, header};
use cookie::Cookie;

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
    pub fn sent_by_browsers(self) -> bool {
        !matches!(self, Credential::Bearer(_))
    }
}

/// Every credential the request carries, bearer first. The session cookie counts only under
/// its name for the scheme the browser used: over HTTPS `__Host-oi_session` (which no sibling
/// host can set), over HTTP `oi_session`; a cookie of the other name is not read. Cookies are
/// read by the `cookie` crate; one it cannot read is no credential.
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
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter_map(|cookie| {
            let (name, value) = (cookie.name_raw()?, cookie.value_raw()?);
            // A value may come in double quotes (RFC 6265's cookie-value).
            let value = value
                .strip_prefix('"')
                .and_then(|quoted| quoted.strip_suffix('"'))
                .unwrap_or(value);
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
pub(crate) mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// Headers as a request carries them, for the auth tests.
    pub(crate) fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
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
    fn quoted_and_unreadable_cookies_are_read_as_browsers_send_them() {
        let headers = headers(&[(
            header::COOKIE,
            "cli_token=\"sss_quoted\"; =novalue; oi_session",
        )]);
        assert_eq!(
            presented_credentials(&headers),
            [Credential::Cookie("sss_quoted")]
        );
    }
}
