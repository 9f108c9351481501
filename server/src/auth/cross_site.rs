//! Cookies are sent by browsers on their own, also when another site makes the browser send a
//! request. So a cookie-authenticated request that changes something must come from this
//! server's own pages (or an allowed origin) and carry JSON, which a form on another site
//! cannot send without the browser asking first.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::error::ApiError;

/// Whether a request with `method` can change something.
pub fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a request that a page of another site made the browser send: its `Origin` (or,
/// without one, `Sec-Fetch-Site`) must be this server's own origin or an allowed one. An
/// opaque `Origin: null` passes only with `Sec-Fetch-Site: same-origin`: a browser sends it
/// for a form on a page of this server that keeps its address to itself (`Referrer-Policy:
/// no-referrer`, the invitee's page), and for sandboxed frames, which say `cross-site`. A
/// request with neither header comes from a program, not a page, and passes.
pub fn refuse_cross_site(headers: &HeaderMap, allowed: &[HeaderValue]) -> Result<(), ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Cross-site request refused: changes signed in by cookie must come from this console's own pages",
        )
    };
    let fetch_site = headers
        .get("sec-fetch-site")
        .map(|site| site.to_str().unwrap_or(""));
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin == "null" {
            return if fetch_site == Some("same-origin") {
                Ok(())
            } else {
                Err(refused())
            };
        }
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
    match fetch_site {
        None | Some("same-origin") | Some("none") => Ok(()),
        Some(_) => Err(refused()),
    }
}

/// A body, if any, must be declared JSON: forms (urlencoded, multipart, text/plain) are what
/// another site can make a browser send without asking.
pub fn require_json_body(headers: &HeaderMap) -> Result<(), ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::credentials::tests::headers;

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
    fn an_opaque_origin_passes_only_from_the_same_origin() {
        let opaque = |site: Option<&'static str>| {
            let mut sent = vec![(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "null")];
            if let Some(site) = site {
                sent.push((header::HeaderName::from_static("sec-fetch-site"), site));
            }
            refuse_cross_site(&headers(&sent), &[])
        };
        // A form on a page of this server with `Referrer-Policy: no-referrer`.
        assert!(opaque(Some("same-origin")).is_ok());
        // A sandboxed frame, anywhere; or a browser that says nothing more.
        for site in [Some("cross-site"), Some("same-site"), Some("none"), None] {
            assert!(opaque(site).is_err(), "{site:?}");
        }
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
