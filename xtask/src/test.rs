//! `cargo xtask test [PART] [FILTER]`: every test, or one part of them.
//!
//! With no part, everything in the order that reuses builds: the checks, the release console
//! (the end-to-end tests serve it), then native and end-to-end tests in one cargo run (servers
//! on SQLite), the server's suite again with every server on PostgreSQL, then the console's own
//! tests inside headless Chromium. A throwaway PostgreSQL cluster serves both the second pass
//! and the tests that need two instances on one database. Every test file runs even after one
//! fails (`--no-fail-fast`), so one run shows every failure and the count covers them all.
//!
//! Tests that need something this command installs or starts (Chromium, the release console,
//! the Anyscale CLI, schemathesis, the cluster) are marked `#[ignore]` with the reason, so a
//! plain `cargo test` passes on a fresh checkout; this command runs them
//! (`--include-ignored`) with what they need.

use std::cell::{Cell, RefCell};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::postgres::{Cluster, Durability};
use crate::tools::{
    Browser, Tools, describe, ensure_anyscale_cli, ensure_browser, ensure_build_tools,
    ensure_cargo_deny, ensure_formatters, ensure_mail_server, ensure_schemathesis, run,
};
use crate::{Result, console, disk, layers, paths, size};

/// One part of the suite, for `cargo xtask test PART`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Formatting (rustfmt, leptosfmt), the supply-chain check (cargo deny), and the server's
    /// layers (no import circle).
    Checks,
    /// The release console build and its size budget.
    Size,
    /// Tests that need nothing but cargo: core, the console's native tests, the server on
    /// SQLite, xtask.
    Native,
    /// The unmodified Anyscale CLI against the server (installs the CLI and a mail server;
    /// starts a PostgreSQL cluster for the two-instance test).
    Cli,
    /// schemathesis against the OpenAPI contract (installs schemathesis).
    Contract,
    /// Invitation mail against a real mail server on loopback (installs Debian's
    /// python3-aiosmtpd).
    Mail,
    /// Webhooks: deliveries to a receiver on loopback, each verified by the Standard Webhooks
    /// reference verifier (installs it from PyPI), names resolved in a sandbox (bubblewrap).
    Webhooks,
    /// The end-to-end tests: the release console and the server in headless Chromium.
    E2e,
    /// The server's suite on a throwaway PostgreSQL cluster, with the tests that run several
    /// instances on one database.
    Postgres,
    /// The console's component tests, compiled to wasm, in headless Chromium.
    Console,
    /// The release as an operator deploys it: the archive's binary from an empty folder and in
    /// an empty root (bubblewrap), and the image under podman (builds both).
    Ship,
}

/// What a run of the tests is given: the tools and the cluster a part needs, each only when
/// that part needs it.
#[derive(Default)]
struct Needs<'a> {
    browser: Option<&'a Browser>,
    anyscale_cli: Option<PathBuf>,
    schemathesis: Option<PathBuf>,
    cluster: Option<&'a Cluster>,
    /// The webhook tests' tools: the verifier's Python, and bubblewrap.
    webhooks: Option<(PathBuf, PathBuf)>,
}

/// Runs `part` (everything when `None`); `filter` narrows each cargo run to the tests whose
/// names contain it.
pub fn run_tests(part: Option<Part>, filter: Option<String>) -> Result {
    let Some(part) = part else {
        return run_all(filter.as_deref());
    };
    let tools = ensure_build_tools()?;
    let tally = Tally::default();
    let filter = filter.as_deref();
    let outcome = match part {
        Part::Checks => check_formatting(&tools)
            .and_then(|()| check_dependencies(&tools))
            .and_then(|()| layers::check()),
        Part::Size => console::build(&tools)
            .and_then(|()| size::report())
            .and_then(|()| size::check_budget()),
        Part::Native => native_tests(&tools, &Needs::default(), filter, &tally),
        Part::Cli => {
            ensure_mail_server()?;
            let cluster = Cluster::start("test", Durability::Throwaway)?;
            let needs = Needs {
                anyscale_cli: Some(ensure_anyscale_cli()?),
                cluster: Some(&cluster),
                ..Needs::default()
            };
            server_tests(&tools, &needs, filter.or(Some("anyscale_cli::")), &tally)
        }
        Part::Contract => {
            let needs = Needs {
                schemathesis: Some(ensure_schemathesis()?),
                webhooks: Some(webhook_tools()?),
                ..Needs::default()
            };
            server_tests(&tools, &needs, filter.or(Some("openapi::")), &tally)
        }
        Part::Mail => {
            ensure_mail_server()?;
            server_tests(
                &tools,
                &Needs::default(),
                filter.or(Some("delivery::")),
                &tally,
            )
        }
        Part::Webhooks => {
            let needs = Needs {
                webhooks: Some(webhook_tools()?),
                ..Needs::default()
            };
            server_tests(&tools, &needs, filter.or(Some("webhook")), &tally)
        }
        Part::E2e => {
            let browser = ensure_browser()?;
            ensure_mail_server()?;
            console::build(&tools)?;
            let needs = Needs {
                browser: Some(&browser),
                ..Needs::default()
            };
            tally.run(
                test_command(&tools, &needs)
                    .args(["test", "--no-fail-fast", "--package", "e2e"])
                    .args(filter)
                    .args(["--", "--include-ignored"]),
            )
        }
        Part::Postgres => {
            ensure_mail_server()?;
            let cluster = Cluster::start("test", Durability::Throwaway)?;
            let needs = Needs {
                anyscale_cli: Some(ensure_anyscale_cli()?),
                schemathesis: Some(ensure_schemathesis()?),
                cluster: Some(&cluster),
                webhooks: Some(webhook_tools()?),
                ..Needs::default()
            };
            server_tests_on_postgres(&tools, &needs, filter, &tally)
        }
        Part::Console => browser_tests(&tools, &ensure_browser()?, filter, &tally),
        Part::Ship => release_tests(&tools, filter, &tally),
    };
    tally.print();
    outcome
}

fn run_all(filter: Option<&str>) -> Result {
    disk::warn_if_short(disk::CLEAN_TEST_RUN);
    let tools = ensure_build_tools()?;
    let browser = ensure_browser()?;
    let anyscale_cli = ensure_anyscale_cli()?;
    let schemathesis = ensure_schemathesis()?;
    let webhooks = webhook_tools()?;
    ensure_mail_server()?;
    let tally = Tally::default();
    let mut failed = Vec::new();
    let mut step = |name: &str, work: &dyn Fn() -> Result| {
        eprintln!("\nxtask: == {name} ==");
        let started = Instant::now();
        let outcome = work();
        eprintln!(
            "xtask: {name}: {} in {:.0?}",
            if outcome.is_ok() { "ok" } else { "FAILED" },
            started.elapsed()
        );
        if let Err(err) = outcome {
            eprintln!("xtask: {err}");
            failed.push(name.to_owned());
        }
    };
    step("formatting (rustfmt, leptosfmt)", &|| {
        check_formatting(&tools)
    });
    step(
        "supply chain (cargo deny: licences, bans, sources)",
        &|| check_dependencies(&tools),
    );
    step("the server's layers (no import circle)", &|| {
        layers::check()
    });
    step("release console build", &|| {
        console::build(&tools).and_then(|()| size::report())
    });
    step("size budget", &|| size::check_budget());
    let cluster = RefCell::new(None);
    step("a throwaway PostgreSQL cluster", &|| {
        *cluster.borrow_mut() = Some(Cluster::start("test", Durability::Throwaway)?);
        Ok(())
    });
    let cluster = cluster.into_inner();
    let needs = Needs {
        browser: Some(&browser),
        anyscale_cli: Some(anyscale_cli),
        schemathesis: Some(schemathesis),
        cluster: cluster.as_ref(),
        webhooks: Some(webhooks),
    };
    step("native, server and end-to-end tests", &|| {
        tally.run(
            test_command(&tools, &needs)
                .args(["test", "--no-fail-fast"])
                .args(
                    NATIVE_PACKAGES
                        .iter()
                        .flat_map(|package| ["--package", package]),
                )
                .args(["--package", "e2e"])
                .args(filter)
                .args(["--", "--include-ignored", "--skip", RELEASE_TESTS]),
        )
    });
    if needs.cluster.is_some() {
        step("the server's tests on PostgreSQL", &|| {
            server_tests_on_postgres(&tools, &needs, filter, &tally)
        });
    }
    drop(needs);
    drop(cluster);
    step("console tests in headless Chromium", &|| {
        browser_tests(&tools, &browser, filter, &tally)
    });
    step("the release: archive, empty root, image", &|| {
        release_tests(&tools, filter, &tally)
    });
    let outcome = if failed.is_empty() {
        eprintln!("\nxtask: every test step passed");
        Ok(())
    } else {
        disk::explain_failure();
        Err(format!("failed: {}", failed.join(", ")))
    };
    tally.print();
    outcome
}

/// The crates whose tests need nothing but cargo (the end-to-end crate needs a browser).
const NATIVE_PACKAGES: [&str; 4] = [
    "org-invitations",
    "org-invitations-core",
    "org-invitations-server",
    "xtask",
];

fn cargo(tools: &Tools) -> std::process::Command {
    let mut command = tools.command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target());
    command
}

/// A cargo command told where the tools, the release console and the cluster are.
fn test_command(tools: &Tools, needs: &Needs) -> Command {
    let mut command = cargo(tools);
    command.env("ORG_INVITATIONS_DIST", paths::dist()).env(
        "AXE_CORE",
        paths::npm_tools().join("node_modules/axe-core/axe.min.js"),
    );
    if let Some(browser) = needs.browser {
        command
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("CHROMIUM", &browser.chromium);
    }
    if let Some(cli) = &needs.anyscale_cli {
        command.env("ANYSCALE_CLI", cli);
    }
    if let Some(schemathesis) = &needs.schemathesis {
        command.env("SCHEMATHESIS", schemathesis);
    }
    if let Some(cluster) = needs.cluster {
        cluster.announce_to(&mut command);
    }
    if let Some((verifier, bwrap)) = &needs.webhooks {
        command
            .env("STANDARDWEBHOOKS_PYTHON", verifier)
            .env("BWRAP", bwrap);
    }
    command
}

/// What the webhook tests need: the reference verifier's Python, and bubblewrap.
fn webhook_tools() -> Result<(PathBuf, PathBuf)> {
    Ok((
        crate::tools::ensure_webhook_verifier()?,
        crate::tools::ensure_bubblewrap()?,
    ))
}

/// The native crates' tests that need nothing installed (the ignored ones stay ignored).
fn native_tests(tools: &Tools, needs: &Needs, filter: Option<&str>, tally: &Tally) -> Result {
    tally.run(
        test_command(tools, needs)
            .args(["test", "--no-fail-fast"])
            .args(
                NATIVE_PACKAGES
                    .iter()
                    .flat_map(|package| ["--package", package]),
            )
            .args(filter),
    )
}

/// The server's tests matching `filter`, including those that need what `needs` provides.
fn server_tests(tools: &Tools, needs: &Needs, filter: Option<&str>, tally: &Tally) -> Result {
    tally.run(&mut server_test_command(tools, needs, filter))
}

/// The server's whole suite again, the same tests, with every server they start keeping its
/// data in the cluster (a database per data folder) instead of SQLite.
fn server_tests_on_postgres(
    tools: &Tools,
    needs: &Needs,
    filter: Option<&str>,
    tally: &Tally,
) -> Result {
    tally.run(
        server_test_command(tools, needs, filter).env("ORG_INVITATIONS_TEST_STORE", "postgres"),
    )
}

fn server_test_command(tools: &Tools, needs: &Needs, filter: Option<&str>) -> Command {
    let mut command = test_command(tools, needs);
    command
        .args([
            "test",
            "--no-fail-fast",
            "--package",
            "org-invitations-server",
        ])
        .args(filter)
        .args(["--", "--include-ignored", "--skip", RELEASE_TESTS]);
    command
}

/// The tests of the release itself, which have a step of their own (they need it built).
const RELEASE_TESTS: &str = "shipping::";

/// Builds the archive and the image, then runs the tests that deploy them.
fn release_tests(tools: &Tools, filter: Option<&str>, tally: &Tally) -> Result {
    let archive = crate::dist::dist(tools)?;
    let image = crate::image::image(tools)?;
    let podman = crate::image::ensure_podman()?;
    let bwrap = crate::tools::ensure_bubblewrap()?;
    let needs = Needs {
        anyscale_cli: Some(ensure_anyscale_cli()?),
        ..Needs::default()
    };
    tally.run(
        test_command(tools, &needs)
            .args([
                "test",
                "--no-fail-fast",
                "--package",
                "org-invitations-server",
                "--test",
                "it",
            ])
            .arg(filter.unwrap_or(RELEASE_TESTS))
            .args(["--", "--include-ignored"])
            .env("ORG_INVITATIONS_TARBALL", archive)
            .env("ORG_INVITATIONS_IMAGE", image)
            .env("CONTAINERS_CONF", podman.conf())
            .env("BWRAP", bwrap),
    )
}

/// Fails when a dependency's licence, a duplicate or banned crate, or a source breaks
/// `deny.toml`. Advisories are not checked: their database lives on GitHub, which these
/// machines cannot reach.
fn check_dependencies(tools: &Tools) -> Result {
    ensure_cargo_deny(tools)?;
    run(cargo(tools).args(["deny", "--locked", "check", "licenses", "bans", "sources"]))
}

/// Fails when any file is not as rustfmt and leptosfmt would write it; run `cargo fmt --all`
/// and `leptosfmt src tests` to fix.
fn check_formatting(tools: &Tools) -> Result {
    ensure_formatters(tools)?;
    run(cargo(tools).args(["fmt", "--all", "--check"]))?;
    run(tools.command("leptosfmt").current_dir(paths::root()).args([
        "--quiet",
        "--check",
        "--config-file",
        "leptosfmt.toml",
        "src",
        "tests",
    ]))
}

fn browser_tests(tools: &Tools, browser: &Browser, filter: Option<&str>, tally: &Tally) -> Result {
    // wasm-bindgen-test-runner lets ChromeDriver make each browser's profile in the temporary
    // folder and kills it before it can remove it: 79 MB left behind per test file, which
    // filled the disk over a day of runs. Everything goes to a folder of ours instead, removed
    // however the tests end.
    let scratch = paths::target().join("tmp").join("console-tests");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|err| format!("cannot create {}: {err}", scratch.display()))?;
    let outcome = tally.run(
        cargo(tools)
            .args([
                "test",
                "--no-fail-fast",
                "--package",
                "org-invitations",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .args(filter)
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("TMPDIR", &scratch),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

/// Test counts summed over every `test result:` line the runners print.
#[derive(Default)]
struct Tally {
    passed: Cell<u64>,
    failed: Cell<u64>,
}

impl Tally {
    /// One closing line over every runner, so a reader (or CI) need not add them up.
    fn print(&self) {
        println!(
            "\ntests: {} passed, {} failed",
            self.passed.get(),
            self.failed.get()
        );
    }

    /// Runs a test command, passing its output through and counting its results.
    fn run(&self, command: &mut Command) -> Result {
        eprintln!("$ {}", describe(command));
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", describe(command)))?;
        for line in BufReader::new(child.stdout.take().expect("piped stdout"))
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if let Some((passed, failed)) = parse_result_line(&line) {
                self.passed.set(self.passed.get() + passed);
                self.failed.set(self.failed.get() + failed);
            }
        }
        let status = child.wait().map_err(|err| err.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", describe(command)))
        }
    }
}

/// `test result: ok. 12 passed; 0 failed; ...` → (12, 0)
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |label: &str| {
        rest.split([';', '.']).map(str::trim).find_map(|part| {
            part.strip_suffix(label)
                .and_then(|n| n.trim().parse::<u64>().ok())
        })
    };
    Some((count(" passed")?, count(" failed")?))
}

#[cfg(test)]
mod tests {
    use super::parse_result_line;

    #[test]
    fn reads_cargo_and_wasm_bindgen_result_lines() {
        assert_eq!(
            parse_result_line(
                "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.08s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_result_line(
                "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 filtered out; finished in 10.08s"
            ),
            Some((3, 1))
        );
        assert_eq!(parse_result_line("running 3 tests"), None);
    }
}
