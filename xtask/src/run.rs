//! `cargo xtask run`: build the release console and the server, then become the server.

use std::os::unix::process::CommandExt;

use clap::Args;

use crate::tools::{describe, ensure_build_tools, run as run_command};
use crate::{Result, console, paths};

#[derive(Args)]
pub struct RunArgs {
    /// Options for the server, passed on as they are: every option of
    /// `org-invitations-server --help` (`--port`, `--demo`, `--data-dir`, `--token`,
    /// `--upstream`, `--allow-origin`, `--max-page-size`, `--header-timeout`, …).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "SERVER OPTIONS"
    )]
    server_options: Vec<String>,
}

#[derive(Args)]
pub struct TokensArgs {
    /// `create NAME --role viewer|inviter|admin`, `list`, or `revoke NAME`, and `--data-dir D`
    /// (default `./data`, as for `run`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    arguments: Vec<String>,
}

/// `cargo xtask tokens …`: the server binary's own `tokens` command, on the same data folder
/// `run` uses; a running server sees the change at once.
pub fn tokens(args: TokensArgs) -> Result {
    build_server()?;
    let status = server_binary()
        .current_dir(paths::root())
        .arg("tokens")
        .args(&args.arguments)
        .status()
        .map_err(|err| format!("cannot start the server binary: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the tokens command failed (see above)".into())
    }
}

/// The server, built with optimisations (the `server` profile).
fn build_server() -> Result {
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
    )
}

fn server_binary() -> std::process::Command {
    std::process::Command::new(
        paths::target()
            .join("server")
            .join("org-invitations-server"),
    )
}

pub fn run(args: RunArgs) -> Result {
    let tools = ensure_build_tools()?;
    console::build(&tools)?;
    build_server()?;
    let mut server = server_binary();
    let (arguments, secrets) = server_arguments(&args.server_options, &paths::dist());
    server.current_dir(paths::root()).args(arguments);
    // Passed through the environment so they do not show in the process list.
    server.envs(secrets);
    eprintln!("$ {}", describe(&server));
    // Become the server, so Ctrl-C and signals reach it directly.
    Err(format!("cannot start the server: {}", server.exec()))
}

/// Options whose values are secrets (a token, a database or mail server URL with its
/// password, the key accept tickets are signed with), and the environment variable the
/// server reads each from instead.
const SECRET_OPTIONS: [(&str, &str); 4] = [
    ("--token", "ORG_INVITATIONS_TOKEN"),
    ("--database-url", "ORG_INVITATIONS_DATABASE_URL"),
    ("--smtp-url", "ORG_INVITATIONS_SMTP_URL"),
    ("--accept-secret", "ORG_INVITATIONS_ACCEPT_SECRET"),
];

/// The server's arguments: the ones given, and the console `run` just built unless another
/// `--dist-dir` is given. Every option reaches the server unchanged, so `run` accepts all of
/// them, today's and tomorrow's; but secrets (`--token`, `--database-url`, `--smtp-url`,
/// `--accept-secret`) are taken out and
/// returned with their environment variables, to travel in the environment instead of the
/// process list.
fn server_arguments(
    given: &[String],
    dist: &std::path::Path,
) -> (Vec<std::ffi::OsString>, Vec<(&'static str, String)>) {
    let mut arguments: Vec<std::ffi::OsString> = Vec::new();
    let mut secrets = Vec::new();
    let mut names_dist = false;
    let mut rest = given.iter();
    'next: while let Some(arg) = rest.next() {
        for (option, variable) in SECRET_OPTIONS {
            if arg == option {
                if let Some(value) = rest.next() {
                    secrets.push((variable, value.clone()));
                }
                continue 'next;
            }
            if let Some(value) = arg.strip_prefix(option).and_then(|v| v.strip_prefix('=')) {
                secrets.push((variable, value.to_owned()));
                continue 'next;
            }
        }
        {
            names_dist |= arg == "--dist-dir" || arg.starts_with("--dist-dir=");
            arguments.push(arg.into());
        }
    }
    if !names_dist {
        arguments.push("--dist-dir".into());
        arguments.push(dist.into());
    }
    (arguments, secrets)
}

#[cfg(test)]
mod tests {
    use super::server_arguments;
    use std::path::Path;

    #[test]
    fn every_option_reaches_the_server_and_the_built_console_is_served() {
        let given: Vec<String> = [
            "--demo",
            "--port",
            "9000",
            "--max-page-size",
            "50",
            "--header-timeout=5",
        ]
        .map(String::from)
        .to_vec();
        let (arguments, secrets) = server_arguments(&given, Path::new("/x/dist"));
        assert_eq!(
            arguments,
            [
                "--demo",
                "--port",
                "9000",
                "--max-page-size",
                "50",
                "--header-timeout=5",
                "--dist-dir",
                "/x/dist"
            ]
            .map(std::ffi::OsString::from)
        );
        assert!(secrets.is_empty());
        let own = ["--dist-dir".to_owned(), "/elsewhere".to_owned()];
        assert_eq!(server_arguments(&own, Path::new("/x/dist")).0.len(), 2);
    }

    #[test]
    fn secrets_travel_in_the_environment_not_the_process_list() {
        for given in [
            vec![
                "--token",
                "sss_secret_token_123",
                "--demo",
                "--database-url",
                "postgres://app:secret-password@db/invitations",
                "--smtp-url",
                "smtp://mailer:mail-secret@mail:587",
                "--accept-secret",
                "accept-secret-of-at-least-32-characters",
            ],
            vec![
                "--token=sss_secret_token_123",
                "--demo",
                "--database-url=postgres://app:secret-password@db/invitations",
                "--smtp-url=smtp://mailer:mail-secret@mail:587",
                "--accept-secret=accept-secret-of-at-least-32-characters",
            ],
        ] {
            let given: Vec<String> = given.into_iter().map(String::from).collect();
            let (arguments, secrets) = server_arguments(&given, Path::new("/x/dist"));
            assert_eq!(
                secrets,
                [
                    ("ORG_INVITATIONS_TOKEN", "sss_secret_token_123".to_owned()),
                    (
                        "ORG_INVITATIONS_DATABASE_URL",
                        "postgres://app:secret-password@db/invitations".to_owned()
                    ),
                    (
                        "ORG_INVITATIONS_SMTP_URL",
                        "smtp://mailer:mail-secret@mail:587".to_owned()
                    ),
                    (
                        "ORG_INVITATIONS_ACCEPT_SECRET",
                        "accept-secret-of-at-least-32-characters".to_owned()
                    ),
                ]
            );
            assert!(
                arguments
                    .iter()
                    .all(|arg| !arg.to_string_lossy().contains("secret"))
            );
            assert_eq!(arguments[0], "--demo");
        }
    }
}
