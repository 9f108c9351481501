//! The data folder: created private, and kept private. A folder or file that someone loosened
//! (a copy, a restore, an umask) is tightened again at start, with a warning saying so.

use std::fs::{self, DirBuilder};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

const FOLDER_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

#[derive(Debug, thiserror::Error)]
#[error("cannot make the data folder {path} private: {source}")]
pub struct DataDirError {
    pub path: String,
    pub source: std::io::Error,
}

/// Creates `dir` (mode 0700) if it is missing, and makes it and the data files in it (`files`,
/// with SQLite's `-wal` and `-shm` beside each) readable by the owner only.
pub fn prepare(dir: &Path, files: &[&str]) -> Result<(), DataDirError> {
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| DataDirError { path, source }
    };
    DirBuilder::new()
        .recursive(true)
        .mode(FOLDER_MODE)
        .create(dir)
        .map_err(failed(dir))?;
    tighten(dir, FOLDER_MODE).map_err(failed(dir))?;
    for name in files {
        for suffix in ["", "-wal", "-shm"] {
            let path = dir.join(format!("{name}{suffix}"));
            if path.exists() {
                tighten(&path, FILE_MODE).map_err(failed(&path))?;
            }
        }
    }
    Ok(())
}

/// Takes away every permission beyond `mode`; says so when there was any.
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(current & mode))?;
        tracing::warn!(
            path = %path.display(),
            was = format_args!("{current:o}"),
            now = format_args!("{:o}", current & mode),
            "data was readable by others: permissions tightened"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn loose_folders_and_files_are_made_private_and_private_ones_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        prepare(&dir, &["db"]).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for file in ["db", "db-wal", "token"] {
            fs::write(dir.join(file), "x").unwrap();
            fs::set_permissions(dir.join(file), fs::Permissions::from_mode(0o666)).unwrap();
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        prepare(&dir, &["db", "token"]).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for file in ["db", "db-wal", "token"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
        fs::set_permissions(dir.join("db"), fs::Permissions::from_mode(0o400)).unwrap();
        prepare(&dir, &["db"]).unwrap();
        assert_eq!(mode(&dir.join("db")), 0o400, "stricter stays as it is");
    }
}
