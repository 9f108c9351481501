//! The server binary's subcommands beside serving: `tokens create|list|revoke` and
//! `sessions revoke --all`, each on the store the server would use (the data folder's
//! database, or `--database-url`), also while a server runs on it.

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
