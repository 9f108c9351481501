//! Builds the release console into dist/, precompressed, with nothing downloaded.
//!
//! Trunk writes the page, the CSS, the language tables and the copied files (what index.html's
//! `data-trunk` links name). The WebAssembly is this build's own, because trunk cannot split a
//! module (trunk#1022): cargo with the feature `split` and relocations kept, the splitter
//! (`wasm-split-cli`: the main module and `later`, src/later.rs), wasm-bindgen on the main
//! module, wasm-opt on each. Every module, the glue and the splitter's loader are then named by
//! the build's content, so a page that started on one build never fetches another build's
//! part; the stable entry points (index.html, the loader a host embeds) are rewritten to name
//! them. docs/size.md, "Split", has the figures.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::tools::{Tools, run};
use crate::{Result, paths};

/// The console's crate, binary and the names wasm-bindgen writes for it.
const NAME: &str = "org-invitations";
/// The splitter's loader, which fetches the other modules.
const SPLIT_LOADER: &str = "__wasm_split";

/// Builds `dist/`, then writes the `.br` and `.gz` the server serves beside each file. A
/// warning from trunk fails the build: a newcomer reads one as something broken, so none may be
/// left that is not a problem.
pub fn build(tools: &Tools) -> Result {
    page(tools)?;
    let stage = paths::target().join("console-split");
    modules(tools, &stage)?;
    minify_assets(tools)?;
    name_by_content()?;
    crate::size::precompress()
}

/// The files the build names by content, as they are in `dist/` now.
pub struct Built {
    /// The main module, its JS glue and the splitter's loader: the first screen's code.
    pub first: Vec<String>,
    /// The modules fetched after the first rows.
    pub later: Vec<String>,
}

/// Finds the content-named files of the last build in `dist/`.
pub fn built() -> Result<Built> {
    let mut built = Built {
        first: Vec::new(),
        later: Vec::new(),
    };
    let dist = paths::dist();
    let entries =
        std::fs::read_dir(&dist).map_err(|err| format!("cannot read {}: {err}", dist.display()))?;
    for entry in entries {
        let name = entry
            .map_err(|err| format!("cannot read {}: {err}", dist.display()))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some((stem, _hash, extension)) = content_named(&name) else {
            continue;
        };
        if extension == "wasm" && stem.starts_with("split_") {
            built.later.push(name);
        } else {
            built.first.push(name);
        }
    }
    built.first.sort();
    built.later.sort();
    if built.first.len() != 3 || built.later.is_empty() {
        return Err(format!(
            "{} does not hold one split build (found {:?} and {:?}): run `cargo xtask build`",
            dist.display(),
            built.first,
            built.later
        ));
    }
    Ok(built)
}

/// `stem-0123456789abcdef.ext` → (stem, hash, ext).
fn content_named(name: &str) -> Option<(&str, &str, &str)> {
    let (rest, extension) = name.rsplit_once('.')?;
    let (stem, hash) = rest.rsplit_once('-')?;
    (matches!(extension, "js" | "wasm")
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    .then_some((stem, hash, extension))
}

/// The page and everything but the WebAssembly, by trunk, from index.html without its `rust`
/// link (which `trunk serve` uses): trunk has no way to skip building the Rust, so the page it
/// is given names no Rust, and its links point back at the checkout.
fn page(tools: &Tools) -> Result {
    let root = paths::root();
    let source = std::fs::read_to_string(root.join("index.html"))
        .map_err(|err| format!("cannot read index.html: {err}"))?;
    let mut rust_links = 0;
    let mut page = String::new();
    for line in source.lines() {
        if line.contains("data-trunk") && line.contains(r#"rel="rust""#) {
            rust_links += 1;
            continue;
        }
        if line.contains("data-trunk") {
            page.push_str(&line.replace(r#"href=""#, r#"href="../../"#));
        } else {
            page.push_str(line);
        }
        page.push('\n');
    }
    if rust_links != 1 {
        return Err(format!(
            "index.html should have one `<link data-trunk rel=\"rust\" …>` line, not {rust_links}"
        ));
    }
    // Two folders below the checkout, whatever CARGO_TARGET_DIR says: trunk reads the links
    // relative to the page.
    let folder = root.join("target").join("console-page");
    std::fs::create_dir_all(&folder)
        .map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
    let page_path = folder.join("index.html");
    std::fs::write(&page_path, page)
        .map_err(|err| format!("cannot write {}: {err}", page_path.display()))?;
    without_warnings(
        tools
            .command("trunk")
            .arg("--config")
            .arg(root.join("Trunk.toml"))
            .args(["build", "--release", "--offline", "--dist"])
            .arg(paths::dist())
            .arg(&page_path)
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", paths::target()),
        // What it says of a page that names no Rust, which this one is on purpose.
        &["no rust project found"],
    )
}

/// The WebAssembly: built with relocations kept, split, bound and optimised into `dist/`.
fn modules(tools: &Tools, stage: &Path) -> Result {
    run(tools
        .command(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--bin",
            NAME,
            "--features",
            "split",
        ])
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        // Leptos's type-erased components: 6.6 KiB less brotli (docs/size.md); the linker's
        // relocations are what the splitter reads to move functions between modules.
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components -Clink-args=--emit-relocs",
        ))?;
    let _ = std::fs::remove_dir_all(stage);
    let (split, bound) = (stage.join("split"), stage.join("bound"));
    run(tools
        .command("wasm-split-cli")
        .args(["--target", "web", "--out-name", NAME])
        .arg(
            paths::target()
                .join("wasm32-unknown-unknown/release")
                .join(format!("{NAME}.wasm")),
        )
        .arg(&split))?;
    // The main module keeps the linker's exports the other modules import.
    run(tools
        .command("wasm-bindgen")
        .args([
            "--target=web",
            "--keep-lld-exports",
            "--no-typescript",
            &format!("--out-name={NAME}"),
        ])
        .arg(format!("--out-dir={}", bound.display()))
        .arg(split.join(format!("{NAME}.wasm"))))?;
    let dist = paths::dist();
    optimise(tools, &bound.join(format!("{NAME}_bg.wasm")), &dist)?;
    copy(&bound.join(format!("{NAME}.js")), &dist)?;
    copy(&split.join(format!("{SPLIT_LOADER}.js")), &dist)?;
    for module in files_in(&split, |name| {
        name.starts_with("split_") && name.ends_with(".wasm")
    })? {
        optimise(tools, &module, &dist)?;
    }
    Ok(())
}

/// wasm-opt `-Oz --converge` (runs again until nothing shrinks) into `folder`.
fn optimise(tools: &Tools, module: &Path, folder: &Path) -> Result {
    let name = module.file_name().ok_or("a module has no file name")?;
    run(tools
        .command("wasm-opt")
        .arg(module)
        .args(["-Oz", "--converge", "-o"])
        .arg(folder.join(name)))
}

fn copy(file: &Path, folder: &Path) -> Result {
    let name = file.file_name().ok_or("a file has no name")?;
    std::fs::copy(file, folder.join(name))
        .map(drop)
        .map_err(|err| {
            format!(
                "cannot copy {} to {}: {err}",
                file.display(),
                folder.display()
            )
        })
}

fn files_in(folder: &Path, wanted: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)
        .map_err(|err| format!("cannot read {}: {err}", folder.display()))?
    {
        let path = entry
            .map_err(|err| format!("cannot read {}: {err}", folder.display()))?
            .path();
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(&wanted)
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// esbuild (npm, pinned in xtask/npm) minifies wasm-bindgen's glue, the splitter's loader and
/// the console's loader in place, as ES modules, which keeps their exports and
/// `import.meta.url`, and the console's CSS (trunk's own minifier is off: it cannot read the
/// glue; docs/size.md).
fn minify_assets(tools: &Tools) -> Result {
    let dist = paths::dist();
    run(tools
        .command("esbuild")
        .arg(dist.join("console.css"))
        .args(["--minify", "--allow-overwrite", "--log-level=warning"])
        .arg(format!("--outfile={}", dist.join("console.css").display())))?;
    for script in [
        format!("{NAME}.js"),
        format!("{SPLIT_LOADER}.js"),
        format!("{NAME}-element.js"),
    ] {
        let path = dist.join(script);
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

/// Gives the modules, the glue and the splitter's loader names carrying one hash of all of
/// them (they name each other in a circle, so one hash for the set), and rewrites every
/// reference to them. Each reference must be found: a tool that changed how it names a file
/// fails the build here rather than a page at run time.
fn name_by_content() -> Result {
    let dist = paths::dist();
    let glue = format!("{NAME}.js");
    let main = format!("{NAME}_bg.wasm");
    let loader = format!("{SPLIT_LOADER}.js");
    let later: Vec<String> = files_in(&dist, |name| {
        name.starts_with("split_") && name.ends_with(".wasm")
    })?
    .iter()
    .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
    .collect();
    let mut hasher = Sha256::new();
    for name in [&main, &glue, &loader].into_iter().chain(&later) {
        hasher.update(read(&dist.join(name))?);
    }
    let hash: String = hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let named = |name: &str| {
        let (stem, extension) = name.rsplit_once('.').expect("names have an extension");
        format!("{stem}-{hash}.{extension}")
    };
    // (file, [(reference in it, as minified)]), each renamed where it stands. The glue's
    // import of the splitter's loader is renamed, not the imports object's key of that name,
    // which the main module's own imports must still match.
    let imports = |name: &str| format!(r#"from"./{name}""#);
    let fetches = |name: &str| format!(r#"new URL("./{name}""#);
    let rewrites: Vec<(String, Vec<String>)> = vec![
        (glue.clone(), vec![imports(&loader)]),
        (
            loader.clone(),
            std::iter::once(imports(&glue))
                .chain(later.iter().map(|module| fetches(module)))
                .collect(),
        ),
        (
            format!("{NAME}-element.js"),
            vec![fetches(&main), format!(r#"import("./{glue}")"#)],
        ),
        (
            "index.html".to_owned(),
            vec![format!(r#"href="/{glue}""#), format!(r#"href="/{main}""#)],
        ),
    ];
    let renamed = |reference: &str| {
        [&main, &glue, &loader]
            .into_iter()
            .chain(&later)
            .fold(reference.to_owned(), |text, name| {
                text.replace(name.as_str(), &named(name))
            })
    };
    for (file, references) in &rewrites {
        let path = dist.join(file);
        let mut text = String::from_utf8(read(&path)?)
            .map_err(|_| format!("{} is not UTF-8", path.display()))?;
        for reference in references {
            if !text.contains(reference.as_str()) {
                return Err(format!(
                    "{} does not say {reference} as the build expects (xtask/src/console.rs)",
                    path.display()
                ));
            }
            text = text.replace(reference.as_str(), &renamed(reference));
        }
        std::fs::write(&path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    }
    for name in [&main, &glue, &loader].into_iter().chain(&later) {
        std::fs::rename(dist.join(name), dist.join(named(name)))
            .map_err(|err| format!("cannot rename {name} in {}: {err}", dist.display()))?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

/// Runs `command`, passing its output through, and fails when it fails or warns (but for the
/// warnings `expected` names).
fn without_warnings(command: &mut std::process::Command, expected: &[&str]) -> Result {
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
        .filter(|line| !expected.iter().any(|known| line.contains(known)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_named_files_are_told_apart_from_stable_ones() {
        assert_eq!(
            content_named("split_later-0123456789abcdef.wasm"),
            Some(("split_later", "0123456789abcdef", "wasm"))
        );
        assert_eq!(
            content_named("org-invitations-0123456789abcdef.js"),
            Some(("org-invitations", "0123456789abcdef", "js"))
        );
        for stable in [
            "org-invitations-element.js",
            "org-invitations_bg.wasm",
            "console.css",
            "console-0123456789abcdef.css",
        ] {
            assert_eq!(content_named(stable), None, "{stable}");
        }
    }
}
