//! `cargo xtask fuzz`: coverage-guided fuzzing of the parsers (the invite form's paste reader,
//! CSV import, email rules, the list's URL query and paging tokens, request bodies) with
//! cargo fuzz and libFuzzer, which need a nightly toolchain. A target's corpus
//! (`fuzz/corpus/T`, outside the repository) starts from the hand-picked seeds in
//! `fuzz/seeds/T` and grows with each run; a crash lands in `fuzz/artifacts/T`, and is kept
//! by moving it to `core/tests/fuzz_regressions/`, named for its bug, with a test that pins
//! it (`core/tests/it/fuzz.rs`, replayed on stable by `cargo xtask test`).
//!
//! The target `api` is schemathesis against the real server, generating requests from the
//! OpenAPI contract for the whole time (the test suite runs it for a bounded number of
//! examples); it needs no nightly.

use std::process::Command;

use crate::tools::{ensure_cargo_fuzz, version_of};
use crate::{Result, paths};

/// schemathesis's target; the others are libFuzzer's.
const API: &str = "api";

pub fn run(seconds: u64, only: Vec<String>) -> Result {
    let targets = if only.is_empty() {
        all_targets()?
    } else {
        only
    };
    let (api, targets): (Vec<String>, Vec<String>) =
        targets.into_iter().partition(|target| target == API);
    let mut summary = Vec::new();
    if !api.is_empty() {
        summary.push(fuzz_api(seconds)?);
    }
    if !targets.is_empty() {
        summary.extend(fuzz_parsers(seconds, &targets)?);
    }
    println!("| target | time | executions | crashes |\n|---|---|---|---|");
    for line in &summary {
        println!("{line}");
    }
    if summary.iter().any(|line| !line.ends_with("| 0 |")) {
        return Err(
            "a fuzz target failed: see above. Keep its input in fuzz/artifacts/ as \
                    core/tests/fuzz_regressions/TARGET-WHAT-BROKE, with a test in \
                    core/tests/it/fuzz.rs that says which bug it was"
                .into(),
        );
    }
    Ok(())
}

/// schemathesis for `seconds`, through the contract test (which starts the server).
fn fuzz_api(seconds: u64) -> Result<String> {
    let tools = crate::tools::ensure_build_tools()?;
    let schemathesis = crate::tools::ensure_schemathesis()?;
    eprintln!("xtask: fuzzing the API with schemathesis for {seconds} s");
    let output = tools
        .command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "test",
            "--package",
            "org-invitations-server",
            "--test",
            "it",
            "openapi::schemathesis",
            "--",
            "--include-ignored",
            "--nocapture",
        ])
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        .env("SCHEMATHESIS", schemathesis)
        .env("SCHEMATHESIS_MAX_TIME", seconds.to_string())
        .output()
        .map_err(|err| format!("cannot run cargo test: {err}"))?;
    let log = String::from_utf8_lossy(&output.stdout);
    eprintln!("{log}{}", String::from_utf8_lossy(&output.stderr));
    // schemathesis ends its summary with "Test cases:\n  N generated, ...".
    let cases = log
        .lines()
        .find_map(|line| line.trim().split_once(" generated"))
        .map(|(count, _)| count.to_owned())
        .unwrap_or_else(|| "?".to_owned());
    Ok(format!(
        "| {API} (schemathesis) | {seconds} s | {cases} test cases | {} |",
        if output.status.success() {
            "0"
        } else {
            "failed (see above)"
        }
    ))
}

fn fuzz_parsers(seconds: u64, targets: &[String]) -> Result<Vec<String>> {
    let nightly = version_of(Command::new("rustup").args(["run", "nightly", "rustc", "--version"]));
    if nightly.is_none() {
        return Err(
            "cargo xtask fuzz needs a nightly toolchain (`rustup toolchain install nightly`); \
             there is none here, so nothing was fuzzed. `cargo xtask test` still replays the \
             seeds and the kept regressions on stable."
                .into(),
        );
    }
    ensure_cargo_fuzz()?;
    let fuzz = paths::root().join("fuzz");
    let mut summary = Vec::new();
    for target in targets {
        seed_corpus(&fuzz, target)?;
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let output = nightly_cargo()
            .args(["fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=2048")
            .current_dir(&fuzz)
            .output()
            .map_err(|err| format!("cannot run cargo fuzz: {err}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        // libFuzzer ends with "Done N runs in S second(s)".
        let runs = log
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("Done ")?.split_whitespace().next())
            .unwrap_or("?")
            .to_owned();
        let crashed = !output.status.success();
        if crashed {
            eprintln!("{log}");
        } else {
            // Keep only inputs that add coverage, so the local corpus stays quick to replay.
            crate::tools::run(
                nightly_cargo()
                    .args(["fuzz", "cmin", target])
                    .current_dir(&fuzz),
            )?;
        }
        summary.push(format!(
            "| {target} | {seconds} s | {runs} | {} |",
            if crashed {
                "1 (see fuzz/artifacts)"
            } else {
                "0"
            }
        ));
    }
    Ok(summary)
}

/// Copies the target's seeds into its corpus, so a fresh checkout starts from them and a
/// corpus that has grown keeps them.
fn seed_corpus(fuzz: &std::path::Path, target: &str) -> Result {
    let seeds = fuzz.join("seeds").join(target);
    let corpus = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|err| format!("cannot create {}: {err}", corpus.display()))?;
    let entries = std::fs::read_dir(&seeds)
        .map_err(|err| format!("cannot read the seeds in {}: {err}", seeds.display()))?;
    for entry in entries.flatten() {
        let to = corpus.join(format!("seed-{}", entry.file_name().to_string_lossy()));
        std::fs::copy(entry.path(), &to)
            .map_err(|err| format!("cannot copy a seed to {}: {err}", to.display()))?;
    }
    Ok(())
}

/// Nightly's cargo, whatever toolchain runs xtask (its `CARGO` is stable's own binary).
fn nightly_cargo() -> Command {
    let mut command = Command::new("rustup");
    command
        .args(["run", "nightly", "cargo"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC");
    command
}

/// `api`, and the targets in `fuzz/fuzz_targets/`.
fn all_targets() -> Result<Vec<String>> {
    let folder = paths::root().join("fuzz").join("fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|err| format!("cannot read {}: {err}", folder.display()))?
        .flatten()
        .filter_map(|entry| {
            entry
                .path()
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .collect();
    targets.sort();
    targets.insert(0, API.to_owned());
    Ok(targets)
}
