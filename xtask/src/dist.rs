//! `cargo xtask dist`: the release an operator deploys. The server built statically (glibc's
//! static libraries, `+crt-static`, so it runs on any x86-64 Linux and in an empty image) with
//! the release console inside it, and beside it in one archive a short README for operators,
//! the licence, an example roles file and a systemd unit:
//! `target/dist/org-invitations-<version>-x86_64-linux.tar.gz`.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::tools::{Tools, run};
use crate::{Result, console, paths};

/// The target the release is built for: explicit, so build scripts and proc macros stay
/// dynamic while the server itself is static.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// What goes beside the binary, from the repository: (name in the archive, file).
const BESIDE: [(&str, &str); 5] = [
    ("README.md", "ship/README.md"),
    ("org-invitations.service", "ship/org-invitations.service"),
    ("roles.example.toml", "ship/roles.example.toml"),
    ("LICENSE-MIT", "LICENSE-MIT"),
    ("LICENSE-APACHE", "LICENSE-APACHE"),
];

/// The server's version, as its Cargo.toml says.
pub fn version() -> Result<String> {
    let manifest = paths::root().join("server/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|err| format!("cannot read {}: {err}", manifest.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|err| format!("{}: {err}", manifest.display()))?;
    table["package"]["version"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no package.version", manifest.display()))
}

/// Builds the release console, then the static server with it inside; returns the binary.
pub fn static_server(tools: &Tools) -> Result<PathBuf> {
    console::build(tools)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(tools
        .command(cargo)
        .args([
            "build",
            "--locked",
            "--package",
            "org-invitations-server",
            "--profile",
            "server",
            "--features",
            "embedded-console",
            "--target",
            TARGET,
        ])
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        .env(
            format!(
                "CARGO_TARGET_{}_RUSTFLAGS",
                TARGET.to_uppercase().replace('-', "_")
            ),
            "-C target-feature=+crt-static",
        )
        .env("ORG_INVITATIONS_EMBED_DIST", paths::dist()))?;
    Ok(paths::target()
        .join(TARGET)
        .join("server")
        .join("org-invitations-server"))
}

/// `cargo xtask dist`: builds, packs and says where the archive is and how big.
pub fn dist(tools: &Tools) -> Result<PathBuf> {
    let binary = static_server(tools)?;
    let version = version()?;
    let name = format!("org-invitations-{version}-x86_64-linux");
    let out = paths::target().join("dist");
    std::fs::create_dir_all(&out)
        .map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    let archive = out.join(format!("{name}.tar.gz"));
    pack(&archive, &name, &binary)?;
    let size = |path: &Path| std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
    println!(
        "{} ({:.1} MiB; the binary {:.1} MiB)",
        archive.display(),
        size(&archive) as f64 / (1024.0 * 1024.0),
        size(&binary) as f64 / (1024.0 * 1024.0)
    );
    Ok(archive)
}

/// Writes the archive: everything under one folder named `name`, the binary executable.
fn pack(archive: &Path, name: &str, binary: &Path) -> Result {
    let file = File::create(archive)
        .map_err(|err| format!("cannot create {}: {err}", archive.display()))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    let add = |tar: &mut tar::Builder<_>, from: &Path, to: &str, mode: u32| -> Result {
        let mut source =
            File::open(from).map_err(|err| format!("cannot read {}: {err}", from.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(
            source
                .metadata()
                .map_err(|err| format!("{}: {err}", from.display()))?
                .len(),
        );
        header.set_mode(mode);
        tar.append_data(&mut header, format!("{name}/{to}"), &mut source)
            .map_err(|err| format!("cannot pack {}: {err}", from.display()))
    };
    add(&mut tar, binary, "org-invitations-server", 0o755)?;
    for (to, from) in BESIDE {
        add(&mut tar, &paths::root().join(from), to, 0o644)?;
    }
    tar.into_inner()
        .and_then(|gzip| gzip.finish())
        .map(drop)
        .map_err(|err| format!("cannot finish {}: {err}", archive.display()))
}
