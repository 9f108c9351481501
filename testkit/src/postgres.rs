//! PostgreSQL for tests: `cargo xtask test` starts a throwaway cluster on a free loopback port
//! and names it in `ORG_INVITATIONS_TEST_POSTGRES`; with `ORG_INVITATIONS_TEST_STORE=postgres`
//! every [`TestServer`](crate::TestServer) keeps its data there instead of in SQLite, one
//! database per data folder (so a restarted server finds its data again).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cluster's base URL, `postgres://postgres@127.0.0.1:PORT`.
pub const CLUSTER_ENV: &str = "ORG_INVITATIONS_TEST_POSTGRES";
/// `postgres` to run every test server on PostgreSQL.
pub const STORE_ENV: &str = "ORG_INVITATIONS_TEST_STORE";
/// The folder of PostgreSQL's programs (`psql`, `pg_dump`).
pub const BIN_ENV: &str = "ORG_INVITATIONS_PG_BIN";
/// The CA of the cluster's TLS certificate, when it offers TLS.
pub const CA_ENV: &str = "ORG_INVITATIONS_TEST_POSTGRES_CA";

/// `--database-ca <the cluster's CA>` when the cluster offers TLS (servers then use it and
/// check its certificate), else nothing.
pub fn ca_args() -> Vec<String> {
    std::env::var(CA_ENV)
        .map(|ca| vec!["--database-ca".to_owned(), ca])
        .unwrap_or_default()
}

/// Whether test servers keep their data in PostgreSQL in this run.
pub fn servers_use_postgres() -> bool {
    std::env::var(STORE_ENV).is_ok_and(|store| store == "postgres")
}

/// The test cluster's base URL; fails the test plainly when there is none.
pub fn cluster() -> String {
    std::env::var(CLUSTER_ENV).unwrap_or_else(|_| {
        panic!(
            "this test needs the PostgreSQL cluster that `cargo xtask test` starts \
             ({CLUSTER_ENV} is not set)"
        )
    })
}

fn program(name: &str) -> PathBuf {
    std::env::var_os(BIN_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"))
        .join(name)
}

/// The URL of the database kept for `data_dir`, created empty on first use.
pub fn database_for(data_dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    let name = format!("test_{:016x}", hasher.finish());
    let cluster = cluster();
    let output = Command::new(program("psql"))
        .args(["--no-psqlrc", "--quiet", "--dbname"])
        .arg(format!("{cluster}/postgres"))
        .args(["--command", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() || error.contains("already exists"),
        "cannot create the test database {name}: {error}"
    );
    format!("{cluster}/{name}")
}

/// Runs one SQL command on `database` (a URL) and returns what it printed, unaligned.
pub fn sql(database: &str, command: &str) -> String {
    try_sql(database, command).unwrap_or_else(|error| panic!("psql failed: {error}"))
}

/// [`sql`], or what PostgreSQL said when it refused the command.
pub fn try_sql(database: &str, command: &str) -> Result<String, String> {
    let output = Command::new(program("psql"))
        .args(["--no-psqlrc", "--quiet", "--tuples-only", "--no-align"])
        .args(["--set", "ON_ERROR_STOP=1"])
        .args(["--dbname", database, "--command", command])
        .output()
        .expect("psql runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Everything `database` holds, as SQL (`pg_dump`): to look for what must not be stored.
pub fn dump(database: &str) -> Vec<u8> {
    let output = Command::new(program("pg_dump"))
        .args(["--data-only", "--dbname", database])
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
