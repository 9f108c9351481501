//! `org-invitations-server backup --to FILE`: a consistent copy of the data folder's SQLite
//! store, taken while the server runs and writes. The name must be UTF-8 (it is printed, and
//! restored by name) and must not start with `file:` (SQLite's tools read it as a URI). Put the copy in a fresh data folder as its
//! `invitations.sqlite3` (with the server stopped) and it is served as the store was. With
//! `--database-url` the data is in PostgreSQL, whose own `pg_dump` is the tool.

use std::path::PathBuf;

use crate::config::Config;
use crate::start::{DATABASE_FILE, StartError};
use crate::store::sqlite;

pub fn run(to: &PathBuf, config: &Config) -> Result<(), StartError> {
    if config.database_url.is_some() {
        return Err(StartError::Command(
            "backup copies the data folder's SQLite store; with --database-url the data is in \
             PostgreSQL: use pg_dump (see docs/deploying.md)"
                .into(),
        ));
    }
    let shown = to.to_str().ok_or_else(|| {
        StartError::Command(format!(
            "the backup's name {} is not UTF-8: choose a name of letters, digits and punctuation",
            to.display()
        ))
    })?;
    if shown
        .get(..5)
        .is_some_and(|start| start.eq_ignore_ascii_case("file:"))
    {
        return Err(StartError::Command(format!(
            "the backup's name {shown:?} starts with \"file:\", which SQLite tools read as a \
             URI: choose another name, or write ./{shown}"
        )));
    }
    let from = config.data_dir.join(DATABASE_FILE);
    sqlite::backup(&from, to)?;
    let size = std::fs::metadata(to).map(|meta| meta.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({size} bytes).",
        from.display(),
        to.display()
    );
    Ok(())
}
