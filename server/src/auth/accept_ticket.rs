//! The ticket a person who accepted is sent on with to the host application
//! (`--accept-redirect`), so it can add the member: a JWT (RFC 7519) signed with HS256 under
//! the secret the application holds (`ORG_INVITATIONS_ACCEPT_SECRET`), good for five minutes,
//! naming the invitation, the address and the organization. It travels in the body of a form
//! the person posts to the application, never in a URL (browsers keep those in history and
//! send them on), and carries a random `jti` so the application can take each once.

use std::fmt;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// How long a ticket is good for: enough to follow the link, short enough that a copy found
/// later is useless.
pub const TICKET_LIFETIME_SECS: i64 = 300;

/// The shortest secret taken: HS256 is as strong as its key, and RFC 7518 asks for at least
/// the hash's 256 bits.
pub const MIN_SECRET_LEN: usize = 32;

/// The signing secret, never printed.
#[derive(Clone)]
pub struct AcceptSecret(String);

impl fmt::Debug for AcceptSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("AcceptSecret(…)")
    }
}

impl AcceptSecret {
    /// `ORG_INVITATIONS_ACCEPT_SECRET` as given: at least [`MIN_SECRET_LEN`] characters.
    pub fn parse(given: &str) -> Result<Self, String> {
        if given.trim().len() < MIN_SECRET_LEN {
            return Err(format!(
                "the accept secret is {} characters long; it must have at least \
                 {MIN_SECRET_LEN} (make one with `openssl rand -hex 32`)",
                given.trim().len()
            ));
        }
        Ok(Self(given.trim().to_owned()))
    }
}

/// `--accept-redirect` as given: an absolute http(s) URL, with no credentials or fragment.
pub fn parse_redirect(given: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(given)
        .map_err(|err| format!("{given:?} is no absolute URL ({err}): give the page of your application that adds members, such as https://app.corp.example/join"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!(
            "{given:?} is not http(s): the person's browser is sent there"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{given:?} holds credentials: the person's browser would see them"
        ));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "{given:?} has a fragment (#…): the ticket is posted to the page itself"
        ));
    }
    Ok(url)
}

/// Where people who accepted go on to, and the key their tickets are signed with.
pub struct AcceptRedirect {
    pub url: url::Url,
    key: EncodingKey,
}

impl fmt::Debug for AcceptRedirect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AcceptRedirect")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// What a ticket says (the JWT's claims).
#[derive(Debug, Serialize)]
struct Claims<'a> {
    /// Who issued it: this server's origin.
    iss: &'a str,
    /// Whom it is for: the application's origin.
    aud: String,
    /// The invitation accepted.
    sub: &'a str,
    email: &'a str,
    organization_id: &'a str,
    organization_name: &'a str,
    iat: i64,
    exp: i64,
    /// Random, so the application can take each ticket once.
    jti: String,
}

/// The invitation a ticket is for.
pub struct Accepted<'a> {
    pub invitation_id: &'a str,
    pub email: &'a str,
    pub organization_id: &'a str,
    pub organization_name: &'a str,
}

impl AcceptRedirect {
    pub fn new(url: url::Url, secret: &AcceptSecret) -> Result<Self, String> {
        let key = EncodingKey::from_secret(secret.0.as_bytes())
            .map_err(|err| format!("the accept secret cannot sign: {err}"))?;
        Ok(Self { url, key })
    }

    /// The application's origin: the ticket's audience.
    pub fn audience(&self) -> String {
        self.url.origin().ascii_serialization()
    }

    /// A ticket for `accepted`, issued by `issuer` at `now`.
    pub fn ticket(
        &self,
        issuer: &str,
        accepted: &Accepted<'_>,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let jti: [u8; 16] = rand::random();
        let claims = Claims {
            iss: issuer,
            aud: self.audience(),
            sub: accepted.invitation_id,
            email: accepted.email,
            organization_id: accepted.organization_id,
            organization_name: accepted.organization_name,
            iat: now.timestamp(),
            exp: now.timestamp() + TICKET_LIFETIME_SECS,
            jti: jti.iter().map(|byte| format!("{byte:02x}")).collect(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_and_a_url_that_cannot_take_a_ticket_are_refused_saying_why() {
        assert!(
            AcceptSecret::parse("short")
                .unwrap_err()
                .contains("at least 32")
        );
        assert!(format!("{:?}", AcceptSecret::parse(&"s".repeat(40)).unwrap()).contains('…'));
        assert!(parse_redirect("/join").unwrap_err().contains("absolute"));
        assert!(
            parse_redirect("ftp://app.example/join")
                .unwrap_err()
                .contains("http")
        );
        assert!(
            parse_redirect("https://user:pw@app.example/join")
                .unwrap_err()
                .contains("credentials")
        );
        assert!(
            parse_redirect("https://app.example/join#x")
                .unwrap_err()
                .contains("fragment")
        );
        assert_eq!(
            parse_redirect("https://app.example/join?from=invite")
                .unwrap()
                .as_str(),
            "https://app.example/join?from=invite"
        );
    }
}
