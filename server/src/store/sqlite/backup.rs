//! A consistent copy of a running server's SQLite file, without the sqlite3 program:
//! `VACUUM INTO` writes one snapshot of the database (as of the moment it starts, whatever is
//! written meanwhile) into a new, compact file, which a fresh data folder can use as it is.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;

/// Copies the database at `from` into `to`, which must not exist yet (it is made private,
/// 0600, as the data folder's files are).
pub fn backup(from: &Path, to: &Path) -> Result<(), StoreError> {
    if !from.exists() {
        return Err(StoreError::Open {
            path: from.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "there is no database here"),
        });
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(|source| StoreError::Open {
            path: to.display().to_string(),
            source: if source.kind() == std::io::ErrorKind::AlreadyExists {
                std::io::Error::new(
                    source.kind(),
                    "it exists already, and a backup never overwrites a file: choose a new name",
                )
            } else {
                source
            },
        })?;
    let copied =
        Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|conn| {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.execute("VACUUM INTO ?1", [to.display().to_string()])
        });
    if let Err(err) = copied {
        let _ = std::fs::remove_file(to);
        return Err(err.into());
    }
    Ok(())
}
