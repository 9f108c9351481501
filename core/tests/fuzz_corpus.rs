//! Every input the fuzzers kept (their corpus, and any crash they found, both in `fuzz/`) is
//! run again here, on stable Rust, by the same checks: what was once found stays fixed.

use std::path::Path;

use org_invitations_core::fuzzing::TARGETS;

#[test]
fn every_kept_fuzz_input_still_passes_its_checks() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (target, check) in TARGETS {
        let mut replayed = 0;
        for folder in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(folder).join(target)) else {
                continue;
            };
            for entry in entries.flatten() {
                let data = match std::fs::read(entry.path()) {
                    Ok(data) => data,
                    // A fuzzer running meanwhile renames what it keeps.
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => panic!("{}: {err}", entry.path().display()),
                };
                let name = entry.path().display().to_string();
                if std::panic::catch_unwind(|| check(&data)).is_err() {
                    panic!("{target}: {name} fails its check again");
                }
                replayed += 1;
            }
        }
        assert!(replayed > 0, "{target}: no corpus in fuzz/corpus/{target}");
    }
}
