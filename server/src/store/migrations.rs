//! One migration history for both databases: plain SQL, a folder per database
//! (`server/migrations/{sqlite,postgres}/V<n>__<what it does>.sql`), embedded when the server
//! is built and applied at start by refinery, all in one transaction, by one server at a time
//! (a lock each backend takes). A released migration is never edited (refinery refuses a
//! database whose applied migrations differ from the files); a change is a new file.
//!
//! Releases before this history kept a bare number instead (SQLite's `user_version`, a
//! `schema_version` table in PostgreSQL): a database they made has its steps up to that number
//! recorded as applied, once, without running them. The number is kept up to date after, so
//! those releases, which refuse a newer number, refuse a database this one has moved on.
//! refinery was chosen because it speaks both drivers this server uses (rusqlite and
//! tokio-postgres) and reads plain SQL files.

use refinery::{Runner, Target};

use crate::store::StoreError;

mod sqlite_files {
    refinery::embed_migrations!("migrations/sqlite");
}

mod postgres_files {
    refinery::embed_migrations!("migrations/postgres");
}

/// Where refinery keeps what it applied, in both databases.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// SQLite's migrations.
pub fn sqlite() -> Runner {
    checked(sqlite_files::migrations::runner())
}

/// PostgreSQL's migrations.
pub fn postgres() -> Runner {
    checked(postgres_files::migrations::runner())
}

/// All at once or none, and never over a history that differs from the files.
fn checked(runner: Runner) -> Runner {
    runner
        .set_grouped(true)
        .set_abort_divergent(true)
        .set_abort_missing(true)
}

#[cfg(test)]
/// `runner`'s migrations by number (refinery embeds them by file name, so V10 comes before
/// V2; it applies them by number).
pub fn in_order(runner: &Runner) -> Vec<refinery::Migration> {
    let mut migrations = runner.get_migrations().clone();
    migrations.sort();
    migrations
}

/// The newest schema `runner` makes: its last migration's number.
pub fn latest(runner: &Runner) -> i64 {
    runner
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0)
}

/// How a database stands before migrating, as its backend read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The newest migration in refinery's history; `None` when there is no history yet.
    pub history: Option<i64>,
    /// The number releases before the history kept (0 for none).
    pub legacy: i64,
}

/// What to do with a database found as `found`, written once for both backends: refuse it
/// when a newer server made it; else the steps to record as applied without running them (a
/// database from before the history), if any.
pub fn adoption(found: Found, latest: i64, database: &str) -> Result<Option<Target>, StoreError> {
    let newest = found.history.unwrap_or(0).max(found.legacy);
    if newest > latest {
        return Err(StoreError::NewerSchema {
            database: database.to_owned(),
            found: newest,
            supported: latest,
        });
    }
    Ok(match found.history {
        None if found.legacy > 0 => Some(Target::FakeVersion(found.legacy as _)),
        _ => None,
    })
}

/// The SQL of `database`'s migrations 1 to `through`, in order: for tests that make a database
/// as a release did.
#[cfg(test)]
pub fn released(database: &str, through: i64) -> Vec<String> {
    let runner = if database == "postgres" {
        postgres()
    } else {
        sqlite()
    };
    in_order(&runner)
        .iter()
        .filter(|migration| i64::from(migration.version()) <= through)
        .map(|migration| migration.sql().unwrap_or_default().to_owned())
        .collect()
}

impl From<refinery::Error> for StoreError {
    fn from(err: refinery::Error) -> Self {
        StoreError::Migration(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_numbered_from_one_without_a_gap() {
        for runner in [sqlite(), postgres()] {
            let versions: Vec<i64> = in_order(&runner)
                .iter()
                .map(|migration| i64::from(migration.version()))
                .collect();
            assert_eq!(versions, (1..=latest(&runner)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_older_database_is_adopted_a_newer_refused_a_migrated_one_continued() {
        let fresh = Found {
            history: None,
            legacy: 0,
        };
        assert!(matches!(adoption(fresh, 4, "db"), Ok(None)));
        let released = Found {
            history: None,
            legacy: 2,
        };
        assert!(matches!(
            adoption(released, 4, "db"),
            Ok(Some(Target::FakeVersion(2)))
        ));
        let migrated = Found {
            history: Some(3),
            legacy: 3,
        };
        assert!(matches!(adoption(migrated, 4, "db"), Ok(None)));
        for newer in [
            Found {
                history: Some(5),
                legacy: 4,
            },
            Found {
                history: None,
                legacy: 5,
            },
        ] {
            let refused = adoption(newer, 4, "file x").unwrap_err().to_string();
            assert!(
                refused.contains("newer") && refused.contains("schema 5"),
                "{refused}"
            );
        }
    }
}
