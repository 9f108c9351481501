//! `cargo xtask run`: build the release console and the server, then become the server.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use clap::Args;

use crate::tools::{describe, ensure_build_tools, run as run_command};
use crate::{Result, console, paths};

#[derive(Args)]
pub struct RunArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The API token (else one is generated once and kept in the data folder).
    #[arg(long, env = "ORG_INVITATIONS_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seed sample invitations, one already expired, when the store is empty.
    #[arg(long)]
    demo: bool,
    /// Where the database and token live.
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Gateway mode: forward the API to this upstream (its token in
    /// ORG_INVITATIONS_UPSTREAM_TOKEN, which the server reads from the environment).
    #[arg(long)]
    upstream: Option<String>,
    /// Another origin whose pages may call the API (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
}

pub fn run(args: RunArgs) -> Result {
    let tools = ensure_build_tools()?;
    console::build(&tools)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_command(
        std::process::Command::new(&cargo)
            .args([
                "build",
                "--quiet",
                "--profile",
                "server",
                "--package",
                "org-invitations-server",
            ])
            .current_dir(paths::root()),
    )?;
    let mut server = std::process::Command::new(
        paths::target()
            .join("server")
            .join("org-invitations-server"),
    );
    server
        .current_dir(paths::root())
        .arg("--port")
        .arg(args.port.to_string())
        .arg("--data-dir")
        .arg(&args.data_dir);
    server.arg("--dist-dir").arg(paths::dist());
    if args.demo {
        server.arg("--demo");
    }
    if let Some(upstream) = &args.upstream {
        server.arg("--upstream").arg(upstream);
    }
    for origin in &args.allow_origins {
        server.arg("--allow-origin").arg(origin);
    }
    if let Some(token) = args.token {
        // Passed through the environment so it does not show in the process list.
        server.env("ORG_INVITATIONS_TOKEN", token);
    }
    eprintln!("$ {}", describe(&server));
    // Become the server, so Ctrl-C and signals reach it directly.
    Err(format!("cannot start the server: {}", server.exec()))
}
