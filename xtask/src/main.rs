//! `cargo xtask <command>`: everything a newcomer needs, from installing the tools to running
//! every test. See the README.

mod bench;
mod console;
mod disk;
mod dist;
mod fuzz;
mod image;
mod layers;
mod paths;
mod postgres;
mod run;
mod size;
mod test;
mod tools;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, run and test org-invitations")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what is missing, build the console in release mode and start the server.
    Run(run::RunArgs),
    /// Install what is missing and build the release console into dist/.
    Build,
    /// Named API tokens for scripts and services: `tokens create NAME --role ROLE`,
    /// `tokens list`, `tokens revoke NAME`; each takes `--data-dir` as `run` does.
    Tokens(run::TokensArgs),
    /// Install what is missing and run every test: native, browser and end-to-end; or one
    /// part of them.
    Test {
        /// Only this part (default: everything).
        #[arg(value_enum)]
        part: Option<test::Part>,
        /// Only tests whose names contain this.
        filter: Option<String>,
    },
    /// Build the release: the static server with the console inside, its README, licence,
    /// example roles file and systemd unit, in target/dist/org-invitations-VERSION-x86_64-linux.tar.gz.
    Dist,
    /// Build the OCI image of ship/Containerfile (FROM scratch, the static server) with podman.
    Image,
    /// Print the release console's sizes (build it first).
    Size,
    /// Fuzz the parsers with cargo fuzz (needs a nightly toolchain; what is found is kept
    /// in fuzz/ and replayed by `test`) and the API with schemathesis (target `api`).
    Fuzz {
        /// How long to fuzz each target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only these targets (default: all).
        targets: Vec<String>,
    },
    /// Measure the server and the console (medians, each beside a baseline from the same run).
    Bench {
        /// A short smoke run of every measurement.
        #[arg(long)]
        quick: bool,
        /// Instead: the mixed load for 10 minutes (1 with --quick), minute by minute, with the
        /// server's memory at the start and the end.
        #[arg(long)]
        soak: bool,
        /// Only one part: `server`, `delivery`, `webhooks`, `parse` or `browser`.
        #[arg(long, value_parser = ["server", "delivery", "webhooks", "parse", "browser"])]
        only: Option<String>,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(args) => run::run(args),
        Command::Tokens(args) => run::tokens(args),
        Command::Build => tools::ensure_build_tools()
            .and_then(|tools| console::build(&tools))
            .and_then(|()| size::report()),
        Command::Test { part, filter } => test::run_tests(part, filter),
        Command::Size => size::report(),
        Command::Dist => tools::ensure_build_tools().and_then(|tools| dist::dist(&tools).map(drop)),
        Command::Image => {
            tools::ensure_build_tools().and_then(|tools| image::image(&tools).map(drop))
        }
        Command::Bench { quick, soak, only } => bench::run_benchmarks(quick, soak, only),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, targets),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Errors are sentences for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, String>;
