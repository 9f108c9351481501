//! What handlers can reach. Both modes serve the console and check the browser's token
//! ([`Site`]); store mode answers from SQLite, gateway mode from an upstream API.

use std::path::PathBuf;

use axum::extract::FromRef;

use crate::store::Store;
use crate::store::sessions::Sessions;
use crate::token::ApiToken;
use crate::upstream::Upstream;

/// The site itself: who may use it and where the console's files are.
#[derive(Clone)]
pub struct Site {
    pub token: ApiToken,
    /// Browsers signed in through the sign-in link.
    pub sessions: Sessions,
    pub dist_dir: PathBuf,
    /// Other origins whose pages may call the API (CORS); empty for none.
    pub allowed_origins: Vec<axum::http::HeaderValue>,
}

/// Store mode: the API answered from this server's own SQLite file.
#[derive(Clone)]
pub struct StoreState {
    pub site: Site,
    pub store: Store,
    /// The largest page a list request may ask for.
    pub max_page_size: u32,
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
