//! What every handler can reach.

use std::path::PathBuf;

use crate::store::Store;
use crate::token::ApiToken;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub token: ApiToken,
    pub dist_dir: PathBuf,
    /// The largest page a list request may ask for.
    pub max_page_size: u32,
}
