//! What handlers can reach. Both modes serve the console and check the browser's token
//! ([`Site`]); store mode answers from SQLite, gateway mode from an upstream API.

use std::path::PathBuf;

use axum::extract::FromRef;

use crate::identity::ProxyAuth;
use crate::store::Store;
use crate::store::audit::AuditLog;
use crate::store::sessions::Sessions;
use crate::store::tokens::NamedTokens;
use crate::token::ApiToken;
use crate::upstream::Upstream;

/// The site itself: who may use it and where the console's files are.
#[derive(Clone)]
pub struct Site {
    /// The owner's token.
    pub token: ApiToken,
    /// Tokens made with `tokens create`.
    pub tokens: NamedTokens,
    /// Browsers signed in through the sign-in link.
    pub sessions: Sessions,
    /// Identities from an authenticating proxy, when configured.
    pub proxy: Option<ProxyAuth>,
    /// Every change and refused change, on record.
    pub audit: AuditLog,
    pub dist_dir: PathBuf,
    /// Other origins whose pages may call the API (CORS); empty for none.
    pub allowed_origins: Vec<axum::http::HeaderValue>,
    /// Whether `POST …/{id}/resend` is served (store mode), as `me` tells the console.
    pub offers_resend: bool,
    /// Changes and failed sign-ins per identity and client address.
    pub limits: crate::rate_limit::RateLimits,
}

/// Store mode: the API answered from this server's own SQLite file.
#[derive(Clone)]
pub struct StoreState {
    pub site: Site,
    pub store: Store,
    /// The largest page a list request may ask for.
    pub max_page_size: u32,
    /// What `userinfo` calls the one organization.
    pub organization_name: std::sync::Arc<str>,
}

impl FromRef<StoreState> for Site {
    fn from_ref(state: &StoreState) -> Self {
        state.site.clone()
    }
}

/// Gateway mode: the API forwarded to an upstream with a token browsers never see.
#[derive(Clone)]
pub struct GatewayState {
    pub site: Site,
    pub upstream: Upstream,
}

impl FromRef<GatewayState> for Site {
    fn from_ref(state: &GatewayState) -> Self {
        state.site.clone()
    }
}
