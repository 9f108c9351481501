//! `org-invitations-server sessions revoke --all`: ends every browser session (after a leak,
//! or when people should sign in again); the next request of each browser is refused, and its
//! sign-in link works as before.

use crate::config::{Config, SessionsCommand};
use crate::start::StartError;

pub async fn run(command: &SessionsCommand, config: &Config) -> Result<(), StartError> {
    let store = super::open_store(config).await?;
    match command {
        SessionsCommand::Revoke { all: _ } => {
            let ended = store.revoke_all_sessions().await?;
            println!(
                "{ended} session{} ended.",
                if ended == 1 { "" } else { "s" }
            );
        }
    }
    Ok(())
}
