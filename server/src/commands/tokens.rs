//! `org-invitations-server tokens create|list|revoke` (and `cargo xtask tokens …`): named API
//! tokens in the server's store (the data folder's database, or `--database-url`), which a
//! running server reads on every request.

use chrono::Utc;

use crate::config::{Config, TokensCommand};
use crate::start::StartError;
use crate::store::tokens::TokenStoreError;

/// Carries out one tokens command; what it prints is for the person at the terminal.
pub async fn run(command: &TokensCommand, config: &Config) -> Result<(), StartError> {
    let tokens = super::open_store(config).await?;
    match command {
        TokensCommand::Create { name, role } => {
            let role = *role;
            let token =
                tokens
                    .create_token(name, role, Utc::now())
                    .await
                    .map_err(|err| match err {
                        TokenStoreError::Store(err) => StartError::Store(err),
                        other => StartError::Command(other.to_string()),
                    })?;
            println!("{token}");
            eprintln!(
                "Token {name:?} ({role}) made. It is shown this once: keep it somewhere safe."
            );
        }
        TokensCommand::List => {
            let listed = tokens.list_tokens().await?;
            if listed.is_empty() {
                println!("No named tokens.");
            }
            for token in listed {
                println!(
                    "{}\t{}\tcreated {}\tlast used {}",
                    token.name,
                    token.role,
                    token.created_at.format("%Y-%m-%d %H:%M UTC"),
                    token.last_used_at.map_or("never".to_owned(), |at| at
                        .format("%Y-%m-%d %H:%M UTC")
                        .to_string())
                );
            }
        }
        TokensCommand::Revoke { name } => {
            if tokens.revoke_token(name).await? {
                println!("Token {name:?} revoked.");
            } else {
                return Err(StartError::Command(format!(
                    "there is no token named {name:?}"
                )));
            }
        }
    }
    Ok(())
}
