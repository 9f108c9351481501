//! What the release console weighs on the wire, and where its bytes go.
//!
//! - [`precompress`] writes `.br` (quality 11) and `.gz` beside every file of `dist/`, which
//!   the server serves to browsers that accept them.
//! - [`report`] prints each file's raw, gzip and brotli size, the largest functions of the
//!   WebAssembly and each crate's share (from cargo's own build, which keeps the name section).
//! - [`check_budget`] fails when what a browser downloads grows past [`BUDGET_BROTLI_BYTES`].

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::{Result, paths};

/// The whole console as served (wasm, JS glue, loader, CSS and index.html), brotli quality 11.
/// The one place the budget is written: raise it only with the reason in the same commit.
/// 212 KiB, +2 KiB for resend (row and bulk actions, progress and report: 7.5 KiB measured,
/// most of it paid by headroom), +2 KiB for "Export CSV" (1.7 KiB measured), +4 KiB for the
/// expiry timeline (4.2 KiB measured), +2 KiB for surviving faults (deletions kept and tried
/// again while the server is away, "unknown" outcomes for lost answers, the list loading again
/// by itself, a 45 s limit on waiting for an answer: 2.4 KiB measured); lowered to 219 KiB when
/// the JS glue, the loader and the CSS were minified (−3.5 KiB); lowered to 213 KiB when the
/// console's JSON went through the browser's parser instead of serde_json (211.0 KiB, −6.7);
/// +9 KiB for the list at every width (211.5 → 221.7 KiB measured: windowing that follows
/// the page's scroll or a host's scrolling box, rows kept in view and focus kept while later
/// pages join, 1.6 KiB; the first page shown at once with counts "so far"; the ID shortened
/// with a copy button, 1.3 KiB; the stacking layouts' CSS); +7 KiB for the words catalog
/// (228.0 KiB measured: the frame's, the list's and the dialog's messages by key, a host's
/// overrides merged over them and checked, 2.1 KiB of it, plural forms by the browser's
/// rules; the next page asked for while one is taken in, 0.8 KiB); +3 KiB when every message
/// joined the catalog, with the locale chosen and fetched, `Intl` dates, relative times and
/// numbers, values isolated in right-to-left sentences (231.1 KiB measured; overrides now check
/// keys only, −1.9 KiB); lowered to 228.7 KiB, the release before the catalog (222.7) and the
/// 6 KiB the languages may cost, once keys were compile-time hashes (−2.2 KiB) and the loader
/// chose the language and fetched its table (−0.9 KiB): 228.0 KiB measured.
pub const BUDGET_BROTLI_BYTES: usize = 228 * 1024 + 717;

/// The files a browser downloads for the console; the example host page is not the console.
const SERVED: [&str; 5] = [
    "org-invitations_bg.wasm",
    "org-invitations.js",
    "org-invitations-element.js",
    "console.css",
    "index.html",
];

/// Writes `NAME.br` and `NAME.gz` beside every file of `dist/`.
pub fn precompress() -> Result {
    for path in dist_files()? {
        let bytes = read(&path)?;
        for (suffix, compressed) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
            let mut name = path.clone().into_os_string();
            name.push(format!(".{suffix}"));
            std::fs::write(&name, compressed)
                .map_err(|err| format!("cannot write {}: {err}", PathBuf::from(&name).display()))?;
        }
    }
    Ok(())
}

pub fn report() -> Result {
    let dist = paths::dist();
    println!("Release console size ({}):", dist.display());
    println!(
        "  {:<32} {:>11} {:>11} {:>11}",
        "file", "raw", "gzip", "brotli"
    );
    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, 0);
    for name in SERVED {
        let bytes = read(&dist.join(name))?;
        let (gzipped, brotlied) = (compressed_len(name, "gz")?, compressed_len(name, "br")?);
        raw_total += bytes.len();
        gzip_total += gzipped;
        brotli_total += brotlied;
        println!(
            "  {name:<32} {:>11} {:>11} {:>11}",
            kib(bytes.len()),
            kib(gzipped),
            kib(brotlied)
        );
    }
    println!(
        "  {:<32} {:>11} {:>11} {:>11}   (budget {})",
        "total",
        kib(raw_total),
        kib(gzip_total),
        kib(brotli_total),
        kib(BUDGET_BROTLI_BYTES)
    );
    let unoptimised = paths::target().join("wasm32-unknown-unknown/release/org-invitations.wasm");
    match std::fs::read(&unoptimised) {
        Ok(module) => breakdown(&module),
        Err(_) => println!("  (no {} to break down)", unoptimised.display()),
    }
    Ok(())
}

/// The brotli size of the console as served, against the budget.
pub fn check_budget() -> Result {
    let mut total = 0;
    for name in SERVED {
        total += compressed_len(name, "br")?;
    }
    if total > BUDGET_BROTLI_BYTES {
        return Err(format!(
            "the console as served is {} brotli, over its budget of {} (xtask/src/size.rs)",
            kib(total),
            kib(BUDGET_BROTLI_BYTES)
        ));
    }
    println!(
        "size budget: {} brotli of {} allowed",
        kib(total),
        kib(BUDGET_BROTLI_BYTES)
    );
    // Each other language is a file fetched once, only by its viewers.
    for language in LOCALES {
        let name = format!("locales/{language}.json");
        let size = compressed_len(&name, "br")?;
        if size > LOCALE_BUDGET_BROTLI_BYTES {
            return Err(format!(
                "{name} is {} brotli, over a locale's budget of {} (xtask/src/size.rs)",
                kib(size),
                kib(LOCALE_BUDGET_BROTLI_BYTES)
            ));
        }
        println!("  {name:<32} {:>11} brotli", kib(size));
    }
    Ok(())
}

/// The languages shipped beside the built-in English, each `locales/<language>.json`.
const LOCALES: [&str; 5] = ["de", "fr", "es", "ja", "ar"];
/// What each other language may cost its viewers, fetched once.
pub const LOCALE_BUDGET_BROTLI_BYTES: usize = 4 * 1024;

/// The largest functions and each crate's share of the code, before wasm-opt and
/// wasm-bindgen, by the names the module keeps.
fn breakdown(module: &[u8]) {
    let functions = match function_sizes(module) {
        Ok(functions) => functions,
        Err(err) => {
            println!("  (cannot read the module's functions: {err})");
            return;
        }
    };
    let code: usize = functions.iter().map(|(_, size)| size).sum();
    if code == 0 {
        return;
    }
    let mut by_crate: HashMap<String, usize> = HashMap::new();
    for (name, size) in &functions {
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut crates: Vec<_> = by_crate.into_iter().collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1));
    println!(
        "  code before wasm-opt: {} in {} functions; by crate:",
        kib(code),
        functions.len()
    );
    for (name, size) in crates.iter().take(15) {
        println!(
            "    {name:<28} {:>11} {:>5.1}%",
            kib(*size),
            *size as f64 * 100.0 / code as f64
        );
    }
    let mut largest = functions;
    largest.sort_by(|a, b| b.1.cmp(&a.1));
    println!("  largest functions:");
    for (name, size) in largest.iter().take(10) {
        let shown: String = name.chars().take(110).collect();
        println!("    {:>9}  {shown}", kib(*size));
    }
}

/// Every function body's size in bytes, with its demangled name.
fn function_sizes(module: &[u8]) -> std::result::Result<Vec<(String, usize)>, String> {
    use wasmparser::{KnownCustom, Name, Parser, Payload};
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut names = HashMap::new();
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|err| err.to_string())? {
            Payload::ImportSection(imports) => {
                for import in imports {
                    if matches!(
                        import.map_err(|err| err.to_string())?.ty,
                        wasmparser::TypeRef::Func(_)
                    ) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for subsection in reader {
                        if let Ok(Name::Function(map)) = subsection {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(bodies
        .into_iter()
        .enumerate()
        .map(|(position, size)| {
            let index = imported + position as u32;
            let name = names
                .get(&index)
                .map(|name| format!("{:#}", rustc_demangle::demangle(name)))
                .unwrap_or_else(|| format!("function {index}"));
            (name, size)
        })
        .collect())
}

/// The crate a demangled function name belongs to: its first path segment, looking through
/// `<T as Trait>` to the type.
fn crate_of(name: &str) -> String {
    let name = name
        .trim_start_matches(['<', '&', '*', ' '])
        .trim_start_matches("mut ");
    let name = name.trim_start_matches("dyn ");
    match name.split_once("::") {
        Some((first, _)) if !first.contains(' ') && !first.is_empty() => first.to_owned(),
        _ => "(other)".to_owned(),
    }
}

/// Every file of `dist/` and its folders (the locales' tables), not the compressed copies.
fn dist_files() -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![paths::dist()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|err| {
            format!(
                "cannot read {} (run `cargo xtask build`): {err}",
                folder.display()
            )
        })?;
        for path in entries.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
            if path.is_dir() {
                folders.push(path);
            } else if !path
                .extension()
                .is_some_and(|ext| ext == "br" || ext == "gz")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The size of the `.br` or `.gz` the build wrote beside a file of `dist/`: what the server
/// sends, measured once, not compressed again.
fn compressed_len(name: &str, suffix: &str) -> Result<usize> {
    let path = paths::dist().join(format!("{name}.{suffix}"));
    std::fs::metadata(&path)
        .map(|metadata| metadata.len() as usize)
        .map_err(|err| {
            format!(
                "cannot read {} (run `cargo xtask build`): {err}",
                path.display()
            )
        })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|err| err.to_string())
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|err| err.to_string())?;
    Ok(out)
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn functions_belong_to_the_crate_their_path_starts_with() {
        assert_eq!(crate_of("serde_json::de::from_str"), "serde_json");
        assert_eq!(
            crate_of("<tachys::view::Foo as tachys::view::Render>::build"),
            "tachys"
        );
        assert_eq!(
            crate_of("<&mut serde_json::Ser as Serializer>::x"),
            "serde_json"
        );
        assert_eq!(crate_of("function 12"), "(other)");
    }
}
