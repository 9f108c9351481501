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
        // Leptos's type-erased components: 6.6 KiB less brotli (docs/size.md).
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components",
        ))?;
    minify_scripts(tools)?;
    crate::size::precompress()
}

/// Trunk minifies the CSS and the page but leaves wasm-bindgen's glue and the loader as
/// written: esbuild (npm, pinned in xtask/npm) minifies both in place, as ES modules, which
/// keeps their exports and `import.meta.url` (docs/size.md).
fn minify_scripts(tools: &Tools) -> Result {
    for script in ["org-invitations.js", "org-invitations-element.js"] {
        let path = paths::dist().join(script);
        run(tools
            .command("esbuild")
            .arg(&path)
            .args([
                "--minify",
                "--format=esm",
                "--allow-overwrite",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", path.display())))?;
    }
    Ok(())
}
