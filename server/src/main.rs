use std::io::IsTerminal;

use clap::Parser;
use org_invitations_server::config::{Command, Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter =
        EnvFilter::try_from_env("ORG_INVITATIONS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == LogFormat::Json {
        // One object per line, the request's fields flattened beside the message.
        logs.json()
            .flatten_event(true)
            .with_current_span(false)
            .init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    let outcome = match &config.command {
        Some(Command::Tokens(command)) => {
            org_invitations_server::commands::tokens::run(command, &config).await
        }
        Some(Command::Sessions(command)) => {
            org_invitations_server::commands::sessions::run(command, &config).await
        }
        Some(Command::Openapi) => org_invitations_server::openapi::print(),
        Some(Command::Backup { to }) => org_invitations_server::commands::backup::run(to, &config),
        Some(Command::Healthcheck { url }) => {
            return org_invitations_server::commands::healthcheck::run(url.as_deref(), &config)
                .await;
        }
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
