//! `org-invitations-server tokens create|list|revoke` (and `cargo xtask tokens …`): named API
//! tokens in the data folder's database, which a running server reads on every request.

use std::path::Path;

use chrono::Utc;

use crate::config::TokensCommand;
use crate::identity::Role;
use crate::store::tokens::{NamedTokens, TokenStoreError};
use crate::{DATABASE_FILE, StartError, data_dir, token};

/// Carries out one tokens command; what it prints is for the person at the terminal.
pub fn run(command: &TokensCommand, data_dir_path: &Path) -> Result<(), StartError> {
    data_dir::prepare(data_dir_path, &[DATABASE_FILE, token::TOKEN_FILE])?;
    let tokens = NamedTokens::open(&data_dir_path.join(DATABASE_FILE))?;
    match command {
        TokensCommand::Create { name, role } => {
            let role = Role::parse(role).unwrap_or(Role::Viewer);
            let token = tokens
                .create(name, role, Utc::now())
                .map_err(|err| match err {
                    TokenStoreError::Store(err) => StartError::Store(err),
                    other => StartError::Tokens(other.to_string()),
                })?;
            println!("{token}");
            eprintln!(
                "Token {name:?} ({role}) made. It is shown this once: keep it somewhere safe."
            );
        }
        TokensCommand::List => {
            let listed = tokens.list()?;
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
            if tokens.revoke(name)? {
                println!("Token {name:?} revoked.");
            } else {
                return Err(StartError::Tokens(format!(
                    "there is no token named {name:?}"
                )));
            }
        }
    }
    Ok(())
}
