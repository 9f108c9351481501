//! A consistent copy of a running server's SQLite file, without the sqlite3 program:
//! `VACUUM INTO` writes one snapshot of the database (as of the moment it starts, whatever is
//! written meanwhile) into a new, compact file, which a fresh data folder can use as it is.
//!
//! The copy lands in exactly the file this command created, through the handle that created
//! it: SQLite writes the snapshot into a scratch file in the private data folder, which is then
//! copied into that handle. SQLite never opens the name the operator gave, so no link put there
//! (or swapped in after creation, in a shared folder) and no name SQLite would read as a URI
//! can send the data elsewhere, and the copy is 0600 whatever happens.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::store::StoreError;

/// Copies the database at `from` into `to`, which must not exist yet (it is made private,
/// 0600, as the data folder's files are, and is never a link).
pub fn backup(from: &Path, to: &Path) -> Result<(), StoreError> {
    if !from.exists() {
        return Err(StoreError::Open {
            path: from.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "there is no database here"),
        });
    }
    let written = |source| StoreError::Write {
        path: to.display().to_string(),
        source,
    };
    let mut target = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(to)
        .map_err(|source| {
            written(if source.kind() == std::io::ErrorKind::AlreadyExists {
                std::io::Error::new(
                    source.kind(),
                    "it exists already, and a backup never overwrites a file: choose a new name",
                )
            } else {
                source
            })
        })?;
    let scratch = scratch_beside(from)?;
    let copied = snapshot(from, &scratch).and_then(|()| {
        let mut snapshot = File::open(&scratch).map_err(written)?;
        std::io::copy(&mut snapshot, &mut target).map_err(written)?;
        target.sync_all().map_err(written)
    });
    let _ = std::fs::remove_file(&scratch);
    if copied.is_err() {
        remove_if_ours(to, &target);
    }
    copied
}

/// `VACUUM INTO` `scratch`, a name of this command's own in the private data folder.
fn snapshot(from: &Path, scratch: &Path) -> Result<(), StoreError> {
    let scratch = scratch.to_str().ok_or_else(|| StoreError::Open {
        path: scratch.display().to_string(),
        source: std::io::Error::other("the data folder's path is not UTF-8"),
    })?;
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute("VACUUM INTO ?1", [scratch])?;
    Ok(())
}

/// A fresh, absolute name beside `database` (so never one SQLite reads as a `file:` URI).
fn scratch_beside(database: &Path) -> Result<PathBuf, StoreError> {
    let absolute = std::path::absolute(database).map_err(|source| StoreError::Open {
        path: database.display().to_string(),
        source,
    })?;
    Ok(absolute.with_file_name(format!(".backup-{:016x}.sqlite3", rand::random::<u64>())))
}

/// Removes the half-written copy at `path`, only if it is still the file `ours` created.
fn remove_if_ours(path: &Path, ours: &File) {
    let _ = ours.set_len(0);
    let same = |at: &std::fs::Metadata, held: &std::fs::Metadata| {
        at.dev() == held.dev() && at.ino() == held.ino()
    };
    if let (Ok(at), Ok(held)) = (std::fs::symlink_metadata(path), ours.metadata())
        && same(&at, &held)
    {
        let _ = std::fs::remove_file(path);
    }
}
