//! `cargo xtask test`: every test, in the order that reuses builds: the release console first
//! (the end-to-end tests serve it), then native and end-to-end tests in one cargo run (servers
//! on SQLite), the server's suite again with every server on PostgreSQL, then the console's own
//! tests inside headless Chromium. A throwaway PostgreSQL cluster serves both the second pass
//! and the tests that need two instances on one database. Every test file runs even after one
//! fails (`--no-fail-fast`), so one run shows every failure and the count covers them all.

use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::postgres::{Cluster, Durability};
use crate::tools::{
    TestTools, Tools, describe, ensure_build_tools, ensure_cargo_deny, ensure_formatters,
    ensure_test_tools, run,
};
use crate::{Result, console, disk, paths, size};

pub fn run_all() -> Result {
    disk::warn_if_short(disk::CLEAN_TEST_RUN);
    let tools = ensure_build_tools()?;
    let test_tools = ensure_test_tools()?;
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
    step("release console build", &|| {
        console::build(&tools).and_then(|()| size::report())
    });
    step("size budget", &|| size::check_budget());
    let cluster = std::cell::RefCell::new(None);
    step("a throwaway PostgreSQL cluster", &|| {
        *cluster.borrow_mut() = Some(Cluster::start("test", Durability::Throwaway)?);
        Ok(())
    });
    let cluster = cluster.into_inner();
    step("native, server and end-to-end tests", &|| {
        native_tests(&tools, &test_tools, cluster.as_ref(), &tally)
    });
    if let Some(cluster) = &cluster {
        step("the server's tests on PostgreSQL", &|| {
            server_tests_on_postgres(&tools, &test_tools, cluster, &tally)
        });
    }
    drop(cluster);
    step("console tests in headless Chromium", &|| {
        browser_tests(&tools, &test_tools, &tally)
    });
    let outcome = if failed.is_empty() {
        eprintln!("\nxtask: every test step passed");
        Ok(())
    } else {
        disk::explain_failure();
        Err(format!("failed: {}", failed.join(", ")))
    };
    // One closing line over every runner, so a reader (or CI) need not add them up.
    println!(
        "\ntests: {} passed, {} failed",
        tally.passed.get(),
        tally.failed.get()
    );
    outcome
}

fn cargo(tools: &Tools) -> std::process::Command {
    let mut command = tools.command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target());
    command
}

/// What every test run is told: where the tools and the cluster are.
fn test_command(tools: &Tools, test_tools: &TestTools, cluster: Option<&Cluster>) -> Command {
    let mut command = cargo(tools);
    command
        .env("CHROMEDRIVER", &test_tools.chromedriver)
        .env("CHROMIUM", &test_tools.chromium)
        .env("ORG_INVITATIONS_DIST", paths::dist())
        .env("ANYSCALE_CLI", &test_tools.anyscale_cli)
        .env("SCHEMATHESIS", &test_tools.schemathesis)
        .env(
            "AXE_CORE",
            paths::npm_tools().join("node_modules/axe-core/axe.min.js"),
        );
    if let Some(cluster) = cluster {
        cluster.announce_to(&mut command);
    }
    command
}

fn native_tests(
    tools: &Tools,
    test_tools: &TestTools,
    cluster: Option<&Cluster>,
    tally: &Tally,
) -> Result {
    tally.run(test_command(tools, test_tools, cluster).args([
        "test",
        "--no-fail-fast",
        "--package",
        "org-invitations",
        "--package",
        "org-invitations-core",
        "--package",
        "org-invitations-server",
        "--package",
        "e2e",
        "--package",
        "xtask",
    ]))
}

/// The server's whole suite again, the same tests, with every server they start keeping its
/// data in the cluster (a database per data folder) instead of SQLite.
fn server_tests_on_postgres(
    tools: &Tools,
    test_tools: &TestTools,
    cluster: &Cluster,
    tally: &Tally,
) -> Result {
    tally.run(
        test_command(tools, test_tools, Some(cluster))
            .args([
                "test",
                "--no-fail-fast",
                "--package",
                "org-invitations-server",
            ])
            .env("ORG_INVITATIONS_TEST_STORE", "postgres"),
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

fn browser_tests(tools: &Tools, test_tools: &TestTools, tally: &Tally) -> Result {
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
            .env("CHROMEDRIVER", &test_tools.chromedriver)
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
