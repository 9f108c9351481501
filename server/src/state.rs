//! What handlers can reach. Both modes serve the console and check the browser's token
//! ([`Site`]); store mode ([`StoreMode`]) answers from its own store, gateway mode
//! ([`GatewayMode`]) from an upstream API.

use std::net::IpAddr;

use axum::extract::FromRef;
use axum::http::HeaderMap;

use crate::auth::identity::ProxyAuth;
use crate::auth::owner_token::ApiToken;
use crate::client_address::{UnreadableHop, client_address};
use crate::gateway::upstream::Upstream;
use crate::store::Store;

/// The site itself: who may use it and where the console's files are.
#[derive(Clone)]
pub struct Site {
    /// The owner's token.
    pub token: ApiToken,
    /// Named tokens, browser sessions and the audit trail (and, in store mode, the
    /// invitations: the same handle as [`StoreMode::store`]).
    pub store: Store,
    /// Identities from an authenticating proxy, when configured.
    pub proxy: Option<ProxyAuth>,
    pub console_files: crate::console_files::ConsoleFiles,
    /// Other origins whose pages may call the API (CORS); empty for none.
    pub allowed_origins: Vec<axum::http::HeaderValue>,
    /// Whether the invitations are this server's own (store mode, not a gateway's upstream's):
    /// then it serves `POST …/{id}/resend` and sends the invitations' mail, as `me` tells the
    /// console.
    pub own_store: bool,
    /// Changes and failed sign-ins per identity and client address.
    pub limits: crate::auth::rate_limits::RateLimits,
    /// The names a request signed in by cookie or by the proxy must carry.
    pub public_hosts: crate::auth::public_origin::PublicHosts,
}

impl Site {
    /// Who is asking from `peer` (`None` when the connection names none: in-process tests),
    /// before any credential says so (see [`client_address`]): the proxy's forwarding header
    /// counts only when a login proxy is configured, and only from its addresses.
    pub fn client_of(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<Option<IpAddr>, UnreadableHop> {
        let Some(peer) = peer else {
            return Ok(None);
        };
        match &self.proxy {
            Some(proxy) => client_address(peer, headers, &proxy.trusted, &proxy.client_header),
            None => Ok(peer),
        }
        .map(Some)
    }

    /// Whether the request carries an identity from the login proxy, sent by the proxy itself:
    /// no secret is presented, so there is nothing to guess and the failure limit of the
    /// address it comes from does not apply.
    pub fn proxy_vouches(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        self.proxy.as_ref().is_some_and(|proxy| {
            headers.contains_key(&proxy.header)
                && peer.is_some_and(|peer| proxy.trusted.contains(&peer))
        })
    }
}

/// Store mode: the API answered from this server's own store (SQLite or PostgreSQL).
#[derive(Clone)]
pub struct StoreMode {
    pub site: Site,
    pub store: Store,
    /// The largest page a list request may ask for.
    pub max_page_size: u32,
    /// What `userinfo` calls the one organization.
    pub organization_name: std::sync::Arc<str>,
    /// Where invitation links point (`--public-origin`'s first); `None` for the address the
    /// request came to.
    pub link_origin: Option<std::sync::Arc<str>>,
    /// Where people who accepted go on to, with a signed ticket (`--accept-redirect`).
    pub accept_redirect: Option<std::sync::Arc<crate::auth::accept_ticket::AcceptRedirect>>,
    /// Where webhook endpoints may point beyond public https addresses.
    pub webhook_targets: std::sync::Arc<crate::webhooks::target::Allowed>,
}

impl StoreMode {
    /// Where invitation links point: `--public-origin`'s first, else the address `headers`
    /// say the request came to.
    pub fn link_origin_for(&self, headers: &HeaderMap) -> String {
        match &self.link_origin {
            Some(origin) => origin.to_string(),
            None => headers
                .get(axum::http::header::HOST)
                .and_then(|host| host.to_str().ok())
                .map(|host| format!("http://{host}"))
                .unwrap_or_default(),
        }
    }
}

impl FromRef<StoreMode> for Site {
    fn from_ref(state: &StoreMode) -> Self {
        state.site.clone()
    }
}

/// Gateway mode: the API forwarded to an upstream with a token browsers never see.
#[derive(Clone)]
pub struct GatewayMode {
    pub site: Site,
    pub upstream: Upstream,
}

impl FromRef<GatewayMode> for Site {
    fn from_ref(state: &GatewayMode) -> Self {
        state.site.clone()
    }
}
