//! Free space where the builds go. A full disk shows up as a linker crash that names LLVM, not
//! the disk (the wasm linker writes through a memory map), so xtask says it in plain words.

use std::path::Path;

use crate::paths;

/// What `cargo xtask test` from a clean checkout leaves in the target folder at its peak
/// (7.5 GB measured on 2026-11-28), with room to spare.
pub const CLEAN_TEST_RUN: u64 = 10 << 30;

/// Below this, a failed step is likely the disk's doing.
const NEARLY_FULL: u64 = 1 << 30;

/// Warns, before anything is built, when the disk holding the target folder has less free
/// space than a run from nothing needs. A warm target needs far less, so this only warns.
pub fn warn_if_short(needed: u64) {
    let target = paths::target();
    if let Some(free) = free_bytes(&target)
        && free < needed
    {
        eprintln!(
            "xtask: warning: {} free on the disk holding {}; a run from a clean checkout writes \
             about {} there. If a build fails oddly (a linker crash), free some space or point \
             CARGO_TARGET_DIR at a roomier disk.",
            gib(free),
            target.display(),
            gib(needed)
        );
    }
}

/// After a failure: says so when the disk is nearly full, the likely cause.
pub fn explain_failure() {
    let target = paths::target();
    if let Some(free) = free_bytes(&target)
        && free < NEARLY_FULL
    {
        eprintln!(
            "xtask: the disk holding {} has only {} free: a failure above may be that.",
            target.display(),
            gib(free)
        );
    }
}

/// Space an unprivileged writer may still use on the file system holding `path` (or its
/// nearest existing parent, before the first build has made it).
fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|dir| dir.exists())?;
    let stats = rustix::fs::statvfs(existing).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_read_even_before_the_folder_exists() {
        let not_yet = std::env::temp_dir().join("org-invitations-not-made-yet/target/debug");
        assert!(!not_yet.exists());
        let free = free_bytes(&not_yet).expect("the parent's file system answers");
        assert!(free > 0, "a disk this test could write to has some room");
        assert_eq!(gib(3 << 29), "1.5 GiB");
    }
}
