//! The server binary's subcommands beside serving: `tokens create|list|revoke`,
//! `sessions revoke --all`, `backup --to FILE` and `healthcheck`, each on the store (or the
//! server) the options point at, also while a server runs on it.

pub mod backup;
pub mod healthcheck;
pub mod sessions;
pub mod tokens;

use crate::auth::owner_token::TOKEN_FILE;
use crate::config::Config;
use crate::data_dir;
use crate::start::{DATABASE_FILE, StartError, location};
use crate::store::{self, Store};

/// The store the configuration points at, as a server would open it.
async fn open_store(config: &Config) -> Result<Store, StartError> {
    if config.database_url.is_none() {
        data_dir::prepare(&config.data_dir, &[DATABASE_FILE, TOKEN_FILE])?;
    }
    Ok(store::open(&location(config)).await?)
}
