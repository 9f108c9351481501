//! `cargo xtask bench`: builds the release console, the server and the benchmark with
//! optimisations, then runs it (server on loopback, console in headless Chromium, PostgreSQL
//! in a throwaway cluster with its durable defaults, invitation mail to Debian's aiosmtpd).

use std::process::Command;

use crate::postgres::{Cluster, Durability};
use crate::tools::{ensure_browser, ensure_build_tools, ensure_mail_server, run};
use crate::{Result, console, paths};

pub fn run_benchmarks(quick: bool, soak: bool, only: Option<String>) -> Result {
    let tools = ensure_build_tools()?;
    let browser = ensure_browser()?;
    ensure_mail_server()?;
    console::build(&tools)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo)
        .args([
            "build",
            "--profile",
            "server",
            "--package",
            "org-invitations-server",
            "--package",
            "bench",
        ])
        .current_dir(paths::root()))?;
    let built = paths::target().join("server");
    let mut bench = Command::new(built.join("bench"));
    if quick {
        bench.arg("--quick");
    }
    if soak {
        bench.arg("--soak");
    }
    if let Some(only) = only {
        bench.arg(format!("--only={only}"));
    }
    let cluster = Cluster::start("bench", Durability::Full)?;
    run(cluster
        .announce_to(&mut bench)
        .env(
            "ORG_INVITATIONS_SERVER_BIN",
            built.join("org-invitations-server"),
        )
        .env("ORG_INVITATIONS_DIST", paths::dist())
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("CHROMIUM", &browser.chromium)
        .current_dir(paths::root()))
}
