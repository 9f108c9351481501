//! `cargo xtask bench`: builds the server and the benchmark with optimisations and runs it.

use std::process::Command;

use crate::tools::run;
use crate::{Result, paths};

pub fn run_benchmarks(quick: bool) -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo)
        .args(["build", "--profile", "server", "--package", "org-invitations-server", "--package", "bench"])
        .current_dir(paths::root()))?;
    let built = paths::target().join("server");
    let mut bench = Command::new(built.join("bench"));
    if quick {
        bench.arg("--quick");
    }
    run(bench.env("ORG_INVITATIONS_SERVER_BIN", built.join("org-invitations-server")).current_dir(paths::root()))
}
