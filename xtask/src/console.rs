//! Builds the release console into dist/ with trunk, which must not download anything, and
//! precompresses it.

use crate::tools::{Tools, run};
use crate::{Result, paths};

/// Builds `dist/`, then writes the `.br` and `.gz` the server serves beside each file. A
/// warning from trunk fails the build: a newcomer reads one as something broken, so none may be
/// left that is not a problem.
pub fn build(tools: &Tools) -> Result {
    without_warnings(
        tools
            .command("trunk")
            .args(["build", "--release", "--offline", "--dist"])
            .arg(paths::dist())
            .current_dir(paths::root())
            .env("CARGO_TARGET_DIR", paths::target())
            // Leptos's type-erased components: 6.6 KiB less brotli (docs/size.md).
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                "--cfg erase_components",
            ),
    )?;
    minify_assets(tools)?;
    crate::size::precompress()
}

/// esbuild (npm, pinned in xtask/npm) minifies wasm-bindgen's glue and the loader in place, as
/// ES modules, which keeps their exports and `import.meta.url`, and the console's CSS (trunk's
/// own minifier is off: it cannot read the glue; docs/size.md).
fn minify_assets(tools: &Tools) -> Result {
    run(tools
        .command("esbuild")
        .arg(paths::dist().join("console.css"))
        .args(["--minify", "--allow-overwrite", "--log-level=warning"])
        .arg(format!(
            "--outfile={}",
            paths::dist().join("console.css").display()
        )))?;
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

/// Runs `command`, passing its output through, and fails when it fails or warns.
fn without_warnings(command: &mut std::process::Command) -> Result {
    eprintln!("$ {}", crate::tools::describe(command));
    let output = command
        .output()
        .map_err(|err| format!("cannot start {}: {err}", crate::tools::describe(command)))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprint!("{said}");
    if !output.status.success() {
        return Err(format!(
            "`{}` failed ({})",
            crate::tools::describe(command),
            output.status
        ));
    }
    let warnings: Vec<&str> = said
        .lines()
        .filter(|line| line.contains(" WARN "))
        .collect();
    if warnings.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the console's build warned:\n{}",
            warnings.join("\n")
        ))
    }
}
