//! `cargo xtask test`: every test, in the order that reuses builds: the release console first
//! (the end-to-end tests serve it), then native and end-to-end tests in one cargo run, then the
//! console's own tests inside headless Chromium.

use std::time::Instant;

use crate::tools::{BrowserTools, Tools, ensure_browser_tools, ensure_build_tools, run};
use crate::{Result, console, paths, size};

pub fn run_all() -> Result {
    let tools = ensure_build_tools()?;
    let browser = ensure_browser_tools()?;
    let mut failed = Vec::new();
    let mut step = |name: &str, work: &dyn Fn() -> Result| {
        eprintln!("\nxtask: == {name} ==");
        let started = Instant::now();
        let outcome = work();
        eprintln!("xtask: {name}: {} in {:.0?}", if outcome.is_ok() { "ok" } else { "FAILED" }, started.elapsed());
        if let Err(err) = outcome {
            eprintln!("xtask: {err}");
            failed.push(name.to_owned());
        }
    };
    step("release console build", &|| console::build(&tools).and_then(|()| size::report()));
    step("native, server and end-to-end tests", &|| native_tests(&tools, &browser));
    step("console tests in headless Chromium", &|| browser_tests(&tools, &browser));
    if failed.is_empty() {
        eprintln!("\nxtask: every test step passed");
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
    }
}

fn cargo(tools: &Tools) -> std::process::Command {
    let mut command = tools.command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(paths::root()).env("CARGO_TARGET_DIR", paths::target());
    command
}

fn native_tests(tools: &Tools, browser: &BrowserTools) -> Result {
    run(cargo(tools)
        .args(["test", "--package", "org-invitations-core", "--package", "org-invitations-server", "--package", "e2e"])
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("CHROMIUM", &browser.chromium)
        .env("ORG_INVITATIONS_DIST", paths::dist()))
}

fn browser_tests(tools: &Tools, browser: &BrowserTools) -> Result {
    run(cargo(tools)
        .args(["test", "--package", "org-invitations", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", &browser.chromedriver))
}
