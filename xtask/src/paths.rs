//! Where things are: the workspace, its one target folder, installed tools.

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

/// The one target folder every build shares.
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

pub fn dist() -> PathBuf {
    root().join("dist")
}

/// npm tools (wasm-opt) live here, installed from xtask/npm's lock file.
pub fn npm_tools() -> PathBuf {
    target().join("tools").join("npm")
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    cargo_home.join("bin")
}
