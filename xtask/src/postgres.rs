//! A throwaway PostgreSQL cluster for the tests and the benchmark: `initdb` into the target
//! folder, started on a free loopback port, stopped and removed when dropped. Never a cluster
//! it did not create. PostgreSQL refuses to run as root, so as root the cluster is the
//! `postgres` user's (through `runuser`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{ensure_postgres, is_root, run};
use crate::{Result, paths};

/// How the cluster is tuned.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// As PostgreSQL ships: every commit flushed. For the benchmark's figures.
    Full,
    /// No flushes: a crash of the machine may lose the cluster, which a test run throws away
    /// anyway. Instances killed with SIGKILL lose nothing either way: PostgreSQL itself stays
    /// up.
    Throwaway,
}

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// `postgres://postgres@127.0.0.1:PORT`
    url: String,
    /// The CA whose certificate the cluster's TLS uses, for clients to trust; `None` when it
    /// offers no TLS.
    ca_file: Option<PathBuf>,
}

impl Cluster {
    /// Creates and starts a cluster in `target/postgres/<name>`, replacing one a killed run
    /// left there. When the `postgres` user cannot reach the target folder (a checkout under
    /// root's private home), the cluster goes to the system's temporary folder instead.
    pub fn start(name: &str, durability: Durability) -> Result<Self> {
        let bin = ensure_postgres()?;
        let mut dir = paths::target().join("postgres").join(name);
        prepare_folder(&bin, &dir)?;
        if is_root()
            && !as_owner(Path::new("test"))
                .arg("-w")
                .arg(&dir)
                .status()
                .is_ok_and(|status| status.success())
        {
            let _ = std::fs::remove_dir_all(&dir);
            // Named after the target folder, so the next run from it finds (and replaces) it.
            let target = {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                paths::target().hash(&mut hasher);
                hasher.finish()
            };
            let fallback =
                std::env::temp_dir().join(format!("org-invitations-postgres-{name}-{target:x}"));
            eprintln!(
                "xtask: the postgres user cannot reach {}; the cluster goes to {}",
                dir.display(),
                fallback.display()
            );
            dir = fallback;
            prepare_folder(&bin, &dir)?;
        }
        // Trust on loopback only: the cluster listens on 127.0.0.1 and nowhere else, and
        // lives as long as the run.
        run(as_owner(&bin.join("initdb"))
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--pgdata",
            ])
            .arg(&dir))?;
        let port = free_port()?;
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='{}' \
             -c max_connections=200",
            dir.display()
        );
        let mut ca_file = None;
        if durability == Durability::Throwaway {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            // TLS, as a team's database would have it, with a CA the tests trust.
            ca_file = Some(make_certificates(&dir)?);
            options.push_str(" -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key");
        }
        run(as_owner(&bin.join("pg_ctl"))
            .args(["start", "--wait", "--silent", "--pgdata"])
            .arg(&dir)
            .arg("--log")
            .arg(dir.join("server.log"))
            .args(["-o", &options]))?;
        Ok(Self {
            bin,
            url: format!("postgres://postgres@127.0.0.1:{port}"),
            dir,
            ca_file,
        })
    }

    /// Tells `command` (a test or benchmark run) where the cluster is, as testkit reads it: its
    /// URL, PostgreSQL's programs, and the CA to trust when it offers TLS.
    pub fn announce_to<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command
            .env("ORG_INVITATIONS_TEST_POSTGRES", &self.url)
            .env("ORG_INVITATIONS_PG_BIN", &self.bin);
        if let Some(ca_file) = &self.ca_file {
            command.env("ORG_INVITATIONS_TEST_POSTGRES_CA", ca_file);
        }
        command
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = as_owner(&self.bin.join("pg_ctl"))
            .args(["stop", "--wait", "--silent", "--mode", "fast", "--pgdata"])
            .arg(&self.dir)
            .status();
        if matches!(stopped, Ok(status) if status.success()) {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!(
                "xtask: the test cluster in {} did not stop; the next run replaces it",
                self.dir.display()
            );
        }
    }
}

/// An empty folder at `dir` owned by the cluster's user, after stopping and removing a cluster
/// a killed run left there.
fn prepare_folder(bin: &Path, dir: &Path) -> Result {
    if dir.join("postmaster.pid").exists() {
        let _ = as_owner(&bin.join("pg_ctl"))
            .args(["stop", "--mode", "immediate", "--pgdata"])
            .arg(dir)
            .status();
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|err| format!("cannot remove the old cluster {}: {err}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    if is_root() {
        run(Command::new("chown").args(["postgres:postgres"]).arg(dir))?;
    }
    Ok(())
}

/// A CA and a certificate for 127.0.0.1 signed by it, for the cluster in `dir` (made with the
/// `openssl` program, installed from Debian's package if missing); returns the CA's file.
fn make_certificates(dir: &Path) -> Result<PathBuf> {
    if Command::new("openssl").arg("version").output().is_err() {
        crate::tools::apt_install(&["openssl"])?;
    }
    let openssl = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    let curve = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"],
            &curve[..],
            &[
                "-days",
                "7",
                "-subj",
                "/CN=org-invitations test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
            ],
        ]
        .concat(),
    )?;
    openssl(
        &[
            &["req"],
            &curve[..],
            &[
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
        ]
        .concat(),
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|err| format!("cannot write the certificate's extensions: {err}"))?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "7",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ])?;
    if is_root() {
        run(Command::new("chown")
            .args(["postgres:postgres", "server.key", "server.crt"])
            .current_dir(dir))?;
    }
    run(Command::new("chmod")
        .args(["600", "server.key"])
        .current_dir(dir))?;
    Ok(dir.join("ca.crt"))
}

/// `program`, run as the `postgres` user when this is root (PostgreSQL refuses root).
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A loopback port nothing listens on just now.
fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|err| format!("cannot find a free port: {err}"))
}
