//! What the fuzzers taught us, replayed on stable Rust by the same checks they run:
//! every input that ever found a bug is kept in `core/tests/fuzz_regressions/`, named for
//! the bug, and pinned by a test of its own below; the hand-picked seeds in `fuzz/seeds/`
//! (where `cargo xtask fuzz` starts from) pass too. The living corpus stays outside the
//! repository (`fuzz/corpus/`, ignored).

use std::path::{Path, PathBuf};

use org_invitations_core::fuzzing::{self, TARGETS};

fn regression(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// `İ` followed by combining marks: lowercasing after NFKC left the marks out of canonical
/// order, so an address's comparison key was not its own key and one address could be two
/// (found by an hour of the `email` target; fixed in `email::comparison_key`).
#[test]
fn comparison_key_of_dotted_capital_i_with_marks_is_its_own_key() {
    fuzzing::email(&regression("email-comparison-key-not-its-own-key"));
}

/// `q=` holding only vertical tabs: a blank search was read from the URL but not written
/// back, so a bookmark's view changed when it was reopened (found by the `list_query`
/// target; a blank search is now no search).
#[test]
fn blank_search_in_the_url_reads_back_as_the_same_view() {
    fuzzing::list_query(&regression("list_query-blank-search-written-back"));
}

#[test]
fn every_regression_file_is_pinned_by_a_test_above() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let source = include_str!("fuzz.rs");
    for entry in std::fs::read_dir(&folder)
        .expect("fuzz_regressions folder")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            source.contains(&format!("regression(\"{name}\")")),
            "{name} has no test of its own in core/tests/it/fuzz.rs: add one that says which bug it was"
        );
        let target = name.split('-').next().unwrap_or_default();
        assert!(
            TARGETS.iter().any(|(known, _)| *known == target),
            "{name}: a regression's name starts with its fuzz target"
        );
    }
}

#[test]
fn every_seed_passes_its_targets_checks() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
    for (target, check) in TARGETS {
        let files: Vec<PathBuf> = std::fs::read_dir(seeds.join(target))
            .unwrap_or_else(|err| panic!("fuzz/seeds/{target}: {err}"))
            .flatten()
            .map(|entry| entry.path())
            .collect();
        assert!(
            (1..=20).contains(&files.len()),
            "{target}: {} seeds; keep a handful of hand-picked ones",
            files.len()
        );
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                panic!("{target}: seed {} fails its check", file.display());
            }
        }
    }
}
