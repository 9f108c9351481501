//! Builds the release console into dist/ with trunk, which must not download anything, and
//! precompresses it.

use crate::tools::{Tools, run};
use crate::{Result, paths};

/// Builds `dist/`, then writes the `.br` and `.gz` the server serves beside each file.
pub fn build(tools: &Tools) -> Result {
    run(tools
        .command("trunk")
        .args(["build", "--release", "--offline", "--dist"])
        .arg(paths::dist())
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        // Leptos's type-erased components: 6.6 KiB less brotli (README, "Size").
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components",
        ))?;
    crate::size::precompress()
}
