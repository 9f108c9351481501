use std::io::IsTerminal;

use clap::Parser;
use org_invitations_server::config::{Command, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ORG_INVITATIONS_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = Config::parse();
    let outcome = match &config.command {
        Some(Command::Tokens(command)) => {
            org_invitations_server::commands::tokens::run(command, &config).await
        }
        Some(Command::Sessions(command)) => {
            org_invitations_server::commands::sessions::run(command, &config).await
        }
        Some(Command::Openapi) => org_invitations_server::openapi::print(),
        None => org_invitations_server::run(config).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
