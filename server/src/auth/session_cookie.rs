//! The session cookie's `Set-Cookie` values, written by the `cookie` crate.

use cookie::{Cookie, SameSite};

use crate::auth::credentials::{SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// The `Set-Cookie` value that signs a browser in: not readable by scripts, never sent by
/// other sites, gone when the browser session ends (and the session itself expires on the
/// server); over HTTPS only ever sent over HTTPS, under the `__Host-` name.
pub fn session_cookie(session_id: &str, https: bool) -> String {
    let name = if https {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    strict(Cookie::build((name, session_id)), https).to_string()
}

/// `Set-Cookie` values that make a browser forget either session cookie.
pub fn cleared_session_cookies() -> [String; 2] {
    [(SESSION_COOKIE, false), (SECURE_SESSION_COOKIE, true)].map(|(name, https)| {
        strict(Cookie::build((name, "")), https)
            .max_age(cookie::time::Duration::ZERO)
            .to_string()
    })
}

/// What every session cookie is: HttpOnly, SameSite=Strict, Path=/, and Secure over HTTPS.
fn strict(cookie: cookie::CookieBuilder<'_>, https: bool) -> cookie::CookieBuilder<'_> {
    cookie
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(https)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_strict_and_secure_over_https() {
        assert_eq!(
            session_cookie("ses_1", false),
            "oi_session=ses_1; HttpOnly; SameSite=Strict; Path=/"
        );
        assert_eq!(
            session_cookie("ses_1", true),
            "__Host-oi_session=ses_1; HttpOnly; SameSite=Strict; Secure; Path=/"
        );
        let [plain, secure] = cleared_session_cookies();
        assert!(
            plain.starts_with("oi_session=;") && plain.contains("Max-Age=0"),
            "{plain}"
        );
        assert!(
            secure.starts_with("__Host-oi_session=;") && secure.contains("Secure"),
            "{secure}"
        );
    }
}
