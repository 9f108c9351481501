//! The credential check in front of every API route: a request carries exactly one
//! credential (`crate::auth::credentials`), and proves an [`Identity`]. A token is the owner's
//! or a named one. Changes made with a credential a browser sends on its own must come from
//! this server's own pages (`crate::auth::cross_site`).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;

use crate::auth::credentials::{Credential, presented_credentials};
use crate::auth::cross_site::{changes_something, refuse_cross_site, require_json_body};
use crate::auth::identity::{AuthMethod, Identity};
use crate::client_address::address_of;
use crate::error::ApiError;
use crate::limits::MAX_SESSION_COOKIES;
use crate::state::Site;
use crate::telemetry::LoggedActor;
use crate::telemetry::{self, Refusal};

/// Finds who is calling, from exactly one credential, and puts the [`Identity`] on the
/// request for the handlers; refuses everything else. Only the request's head is looked at:
/// its body is read after this (`request_size::buffer_body`), for callers who are known.
pub async fn authenticate(State(site): State<Site>, mut request: Request, next: Next) -> Response {
    let peer = address_of(&request);
    let client = match site.client_of(peer, request.headers()) {
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
