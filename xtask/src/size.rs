//! What the release console weighs on the wire, and where its bytes go.
//!
//! - [`precompress`] writes `.br` (quality 11) and `.gz` beside every file of `dist/`, which
//!   the server serves to browsers that accept them.
//! - [`report`] prints each file's raw, gzip and brotli size, the largest functions of the
//!   WebAssembly and each crate's share (from cargo's own build, which keeps the name section).
//! - [`check_budget`] fails when the first screen or the later modules grow past their budgets.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::{Result, paths};

/// The console's first screen as served (the main module, its JS glue, the splitter's loader,
/// the console's loader, CSS and index.html), brotli quality 11. The one place the budget is
/// written: raise it only with the reason in the same commit. Before the split, the whole
/// console had one budget, last 228.7 KiB (228.0 measured); its history is docs/size.md's.
/// With the later parts in a module of their own and the list's answers read without
/// serde-wasm-bindgen, the first screen measured 178.1 KiB (2026-12-07), under the floor
/// measured before (the list alone, 179.1 KiB; docs/size.md, "Split"). Brotli's output moves
/// by a kilobyte or two for changes of a few bytes: the budget leaves that much. +3 KiB for
/// each row's mail (its `delivery` read and shown under its creation date, kept current by id
/// while the list is read again as mail is queued: 3.1 KiB measured, 181.2 KiB). +1 KiB for
/// the row's "Copy link" (its button, the service it calls and its English words; mail
/// waiting says why): 183.4 KiB measured.
pub const FIRST_SCREEN_BUDGET_BROTLI_BYTES: usize = 184 * 1024;

/// The modules fetched after the first rows (the invite form, the deletion dialog and notices,
/// deleting and resending themselves, the resend report, the Activity view, the CSV export,
/// the language menu, and the serde-wasm-bindgen reader of their answers with Rust's float
/// formatting): 79.5 KiB measured (2026-12-07); +2 KiB for the invite results saying
/// "queued" and the mail's language asked for (81.2 KiB measured); +1 KiB for asking for a
/// fresh link, the clipboard and its report (84.0 KiB measured); +1 KiB for the deletion
/// pool as a bounded stream (`buffer_unordered`, issue 35) instead of hand-shared queues
/// (85.2 KiB measured); +15 KiB for the Webhooks view (issue 33: endpoints, secrets shown
/// once, pause, test, the delivery log and redelivery, its answers read by hand), 100.7 KiB
/// measured: Leptos's resources, actions and keyed lists made it 17 KiB more, serde's readers
/// 2 KiB more, so neither is used there.
pub const LATER_BUDGET_BROTLI_BYTES: usize = 101 * 1024;

/// What the first screen's files are besides the content-named modules, glue and loader.
const FIRST_SCREEN_PAGE: [&str; 3] = ["org-invitations-element.js", "console.css", "index.html"];

/// The files of the first screen and of what comes after it, as `dist/` has them now.
fn served() -> Result<(Vec<String>, Vec<String>)> {
    let built = crate::console::built()?;
    let first = built
        .first
        .into_iter()
        .chain(FIRST_SCREEN_PAGE.map(str::to_owned))
        .collect();
    Ok((first, built.later))
}

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
    let (first, later) = served()?;
    table("first screen", &first, FIRST_SCREEN_BUDGET_BROTLI_BYTES)?;
    table("after the first rows", &later, LATER_BUDGET_BROTLI_BYTES)?;
    let unoptimised = paths::target().join("wasm32-unknown-unknown/release/org-invitations.wasm");
    match std::fs::read(&unoptimised) {
        Ok(module) => breakdown(&module),
        Err(_) => println!("  (no {} to break down)", unoptimised.display()),
    }
    Ok(())
}

/// Prints each file's raw, gzip and brotli size and the total against `budget`.
fn table(title: &str, files: &[String], budget: usize) -> Result {
    println!(
        "  {:<40} {:>11} {:>11} {:>11}",
        title, "raw", "gzip", "brotli"
    );
    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, 0);
    for name in files {
        let bytes = read(&paths::dist().join(name))?;
        let (gzipped, brotlied) = (compressed_len(name, "gz")?, compressed_len(name, "br")?);
        raw_total += bytes.len();
        gzip_total += gzipped;
        brotli_total += brotlied;
        println!(
            "    {name:<38} {:>11} {:>11} {:>11}",
            kib(bytes.len()),
            kib(gzipped),
            kib(brotlied)
        );
    }
    println!(
        "    {:<38} {:>11} {:>11} {:>11}   (budget {})",
        "total",
        kib(raw_total),
        kib(gzip_total),
        kib(brotli_total),
        kib(budget)
    );
    Ok(())
}

/// The brotli size of the first screen and of the later modules, each against its budget, and
/// of each language's table.
pub fn check_budget() -> Result {
    let (first, later) = served()?;
    for (what, files, budget) in [
        ("first screen", &first, FIRST_SCREEN_BUDGET_BROTLI_BYTES),
        ("later module", &later, LATER_BUDGET_BROTLI_BYTES),
    ] {
        let mut total = 0;
        for name in files {
            total += compressed_len(name, "br")?;
        }
        if total > budget {
            return Err(format!(
                "the console's {what} is {} brotli, over its budget of {} (xtask/src/size.rs)",
                kib(total),
                kib(budget)
            ));
        }
        println!(
            "size budget, {what}: {} brotli of {} allowed",
            kib(total),
            kib(budget)
        );
    }
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
/// What each other language may cost its viewers, fetched once: 4 KiB, then 4.5 for the words
/// of the later parts' pending and failed states and of each invitation's mail (Arabic, with
/// six plural forms of each count, measured 4.0 KiB); 5 KiB with the Webhooks view's 36
/// messages (issue 33; French, the longest, measured 4.6 KiB).
pub const LOCALE_BUDGET_BROTLI_BYTES: usize = 5 * 1024;

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
