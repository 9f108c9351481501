//! What handlers can reach. Both modes serve the console and check the browser's token
//! ([`Site`]); store mode ([`StoreMode`]) answers from its own store, gateway mode
//! ([`GatewayMode`]) from an upstream API.

use std::path::PathBuf;

use axum::extract::FromRef;

use crate::auth::identity::ProxyAuth;
use crate::auth::owner_token::ApiToken;
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
    pub dist_dir: PathBuf,
    /// Other origins whose pages may call the API (CORS); empty for none.
    pub allowed_origins: Vec<axum::http::HeaderValue>,
    /// Whether `POST …/{id}/resend` is served (store mode), as `me` tells the console.
    pub offers_resend: bool,
    /// Changes and failed sign-ins per identity and client address.
    pub limits: crate::http::rate_limit::RateLimits,
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
