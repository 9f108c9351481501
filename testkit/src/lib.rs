//! Starts the real server binary on a real SQLite file (or, in the PostgreSQL pass of `cargo
//! xtask test`, a real PostgreSQL database) for tests, and stops it with them; [`Api`] talks to
//! it over HTTP.

mod api;
pub mod postgres;
pub mod receiver;
pub mod selectors;
pub mod smtp;
mod static_host;

pub use api::{Api, Reply};
pub use static_host::StaticHost;

/// The invitation list's path, which most API tests call.
pub const LIST_PATH: &str = "/api/v2/organization_invitations/";

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to print that it listens.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The workspace root, where `dist/` and `target/` live.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit sits in the workspace")
        .to_owned()
}

/// A program `cargo xtask test` installs under `target/tools/` (`under_tools`, as
/// `anyscale-venv/bin/anyscale`), unless the environment variable `variable` names another;
/// fails the test plainly when it is not there.
pub fn installed_tool(variable: &str, under_tools: &str) -> PathBuf {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/tools").join(under_tools));
    assert!(
        path.exists(),
        "{} is not there — run `cargo xtask test`, which installs it",
        path.display()
    );
    path
}

/// The server binary: `ORG_INVITATIONS_SERVER_BIN` when set (xtask sets it), else the one
/// cargo built beside the running test.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ORG_INVITATIONS_SERVER_BIN") {
        return path.into();
    }
    let test_exe = std::env::current_exe().expect("test executable path");
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    profile_dir.join("org-invitations-server")
}

/// A server process with its own data folder, killed when dropped.
pub struct TestServer {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`
    pub base_url: String,
    /// The URL printed for signing a browser in (`…/?token=…`).
    pub sign_in_url: String,
    /// The start-up line between the two: where the data lives, or which upstream is served.
    pub serving: String,
    /// Every line the server printed at start, up to the sign-in line.
    pub printed: Vec<String>,
    pub token: String,
    pub data_dir: PathBuf,
    /// The PostgreSQL database the server keeps its data in; `None` for the data folder's
    /// SQLite file.
    pub database_url: Option<String>,
    /// The server's standard error: its request log.
    log_path: PathBuf,
    /// Keeps a temporary data folder alive for the test's duration.
    _temp: Option<tempfile::TempDir>,
    _log_dir: tempfile::TempDir,
    /// The hosts file the server resolves names through, when it was given one.
    hosts_dir: Option<tempfile::TempDir>,
}

/// What to start the server with.
#[derive(Default, Clone)]
pub struct ServerOptions {
    /// A folder to reuse (for restart tests); a fresh temporary one when `None`.
    pub data_dir: Option<PathBuf>,
    pub dist_dir: Option<PathBuf>,
    pub demo: bool,
    /// A fixed port (to restart a server where a browser expects it); any free one when `None`.
    pub port: Option<u16>,
    pub extra_args: Vec<String>,
    /// Environment variables for the server process.
    pub envs: Vec<(String, String)>,
    /// Runs the server where names resolve only through these (`name`, address) pairs and
    /// no DNS server is reachable (bubblewrap over its own /etc/hosts and /etc/resolv.conf),
    /// so no test's lookup leaves the machine; [`TestServer::set_hosts`] changes them.
    pub hosts: Option<Vec<(String, String)>>,
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with(ServerOptions::default())
    }

    pub fn start_with(options: ServerOptions) -> Self {
        let (temp, data_dir) = match options.data_dir {
            Some(dir) => (None, dir),
            None => {
                let temp = tempfile::tempdir().expect("temporary data folder");
                let dir = temp.path().join("data");
                (Some(temp), dir)
            }
        };
        let given_token = options
            .extra_args
            .iter()
            .skip_while(|arg| *arg != "--token")
            .nth(1)
            .or_else(|| {
                options
                    .envs
                    .iter()
                    .find(|(name, _)| name == "ORG_INVITATIONS_TOKEN")
                    .map(|(_, value)| value)
            })
            .cloned();
        let named_database = options
            .extra_args
            .iter()
            .skip_while(|arg| *arg != "--database-url")
            .nth(1)
            .cloned();
        let database_url = named_database.clone().or_else(|| {
            postgres::servers_use_postgres().then(|| postgres::database_for(&data_dir))
        });
        let hosts_dir = options.hosts.as_ref().map(|hosts| {
            let dir = tempfile::tempdir().expect("a folder for the hosts file");
            write_hosts(&dir.path().join("hosts"), hosts);
            std::fs::write(dir.path().join("resolv.conf"), "nameserver 127.0.0.1\n")
                .expect("resolv.conf");
            dir
        });
        let mut command = match &hosts_dir {
            Some(dir) => {
                let mut command =
                    Command::new(std::env::var("BWRAP").unwrap_or_else(|_| "bwrap".into()));
                command
                    .args(["--dev-bind", "/", "/", "--bind"])
                    .arg(dir.path().join("hosts"))
                    .args(["/etc/hosts", "--ro-bind"])
                    .arg(dir.path().join("resolv.conf"))
                    .args(["/etc/resolv.conf", "--die-with-parent", "--"])
                    .arg(server_binary());
                command
            }
            None => Command::new(server_binary()),
        };
        if let (Some(url), None) = (&database_url, &named_database) {
            command.arg("--database-url").arg(url);
        }
        if database_url.is_some() && !options.extra_args.iter().any(|arg| arg == "--database-ca") {
            command.args(postgres::ca_args());
        }
        command
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &options.port.unwrap_or(0).to_string(),
                "--data-dir",
            ])
            .arg(&data_dir);
        command.arg("--dist-dir").arg(
            options
                .dist_dir
                .unwrap_or_else(|| workspace_root().join("dist")),
        );
        if options.demo {
            command.arg("--demo");
        }
        command
            .args(&options.extra_args)
            .env_remove("ORG_INVITATIONS_TOKEN")
            .env_remove("ORG_INVITATIONS_UPSTREAM_TOKEN")
            .env_remove("ORG_INVITATIONS_DATABASE_URL")
            .env_remove("ORG_INVITATIONS_DATABASE_CA")
            .envs(options.envs.iter().map(|(name, value)| (name, value)));
        let log_dir = tempfile::tempdir().expect("temporary log folder");
        let log_path = log_dir.path().join("server.log");
        let log_file = std::fs::File::create(&log_path).expect("log file");
        command
            .stdout(Stdio::piped())
            .stderr(log_file)
            .stdin(Stdio::null());
        let mut child = command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {:?}: {err}", server_binary()));

        let lines = start_line_reader(child.stdout.take().expect("piped stdout"));
        let mut base_url = None;
        let mut serving = String::new();
        let mut printed = Vec::new();
        loop {
            match lines.recv_timeout(START_TIMEOUT) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("org-invitations server listening on ") {
                        base_url = Some(url.trim().to_owned());
                    } else if line.starts_with("Data: ") || line.starts_with("Gateway to ") {
                        serving = line.clone();
                    }
                    printed.push(line.clone());
                    // A generated token is printed in the sign-in URL; a given one is not.
                    let signed_in = if let Some(url) = line.strip_prefix("Open ") {
                        let sign_in_url = url.trim().to_owned();
                        let token = sign_in_url
                            .split_once("?token=")
                            .map(|(_, token)| token.to_owned())
                            .expect("token in URL");
                        Some((sign_in_url, token))
                    } else if line.starts_with("Sign in at ") {
                        let token = given_token.clone().expect("a token was given");
                        let base = base_url.as_deref().expect("listening line comes first");
                        Some((format!("{base}/?token={token}"), token))
                    } else {
                        None
                    };
                    if let Some((sign_in_url, token)) = signed_in {
                        return Self {
                            child: Some(child),
                            base_url: base_url.expect("listening line comes first"),
                            sign_in_url,
                            serving,
                            token,
                            data_dir,
                            database_url,
                            log_path,
                            printed,
                            _temp: temp,
                            _log_dir: log_dir,
                            hosts_dir,
                        };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().ok();
                    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                    panic!(
                        "server did not start within {START_TIMEOUT:?} (exit: {status:?}); its log:\n{log}"
                    );
                }
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.base_url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("base URL ends with the port")
    }

    /// The server process's id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Everything the server has written to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).expect("server log")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A server in gateway mode in front of `upstream`, holding the upstream's token.
    pub fn gateway_to(upstream: &TestServer, options: ServerOptions) -> Self {
        let mut options = options;
        options
            .extra_args
            .extend(["--upstream".to_owned(), upstream.base_url.clone()]);
        options.envs.push((
            "ORG_INVITATIONS_UPSTREAM_TOKEN".to_owned(),
            upstream.token.clone(),
        ));
        Self::start_with(options)
    }

    /// Ends the process with SIGKILL: no shutdown code runs, as in a crash or power cut.
    /// Pass your own `data_dir` when starting a server you mean to start again on the same
    /// data: a temporary one goes away with this value.
    pub fn kill_hard(mut self) -> PathBuf {
        self.stop();
        self.data_dir.clone()
    }

    /// Runs `org-invitations-server tokens ARGS --data-dir <this server's>` (and its
    /// `--database-url`), as `cargo xtask tokens` does, beside the running server; returns
    /// whether it succeeded, and what it printed to standard output and to standard error.
    pub fn tokens(&self, args: &[&str]) -> (bool, String, String) {
        let mut command = Command::new(server_binary());
        command
            .arg("tokens")
            .args(args)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("ORG_INVITATIONS_DATABASE_URL");
        if let Some(url) = &self.database_url {
            command
                .arg("--database-url")
                .arg(url)
                .args(postgres::ca_args());
        }
        let output = command.output().expect("the server binary runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Every byte the server has stored: its SQLite file and write-ahead log, or a dump of
    /// its PostgreSQL database. To show what is never stored.
    pub fn stored_bytes(&self) -> Vec<u8> {
        match &self.database_url {
            Some(url) => postgres::dump(url),
            None => {
                let file = self.data_dir.join("invitations.sqlite3");
                let mut bytes = std::fs::read(&file).expect("the database file");
                bytes.extend(std::fs::read(file.with_extension("sqlite3-wal")).unwrap_or_default());
                bytes
            }
        }
    }

    /// Runs one SQL statement on the running server's database, beside it (its SQLite file, or
    /// its PostgreSQL database): for a state no request can make, as an invitation past its
    /// expiry.
    pub fn run_sql(&self, statement: &str) {
        match &self.database_url {
            Some(url) => {
                postgres::sql(url, statement);
            }
            None => {
                let connection =
                    rusqlite::Connection::open(self.data_dir.join("invitations.sqlite3"))
                        .expect("the database file opens");
                connection
                    .busy_timeout(Duration::from_secs(10))
                    .expect("a busy timeout");
                connection
                    .execute_batch(statement)
                    .expect("the statement runs");
            }
        }
    }

    /// Makes the server's names resolve through `hosts` from now on (started with
    /// [`ServerOptions::hosts`]); the file is rewritten in place, which its mount follows.
    pub fn set_hosts(&self, hosts: &[(String, String)]) {
        let dir = self
            .hosts_dir
            .as_ref()
            .expect("the server was started with ServerOptions::hosts");
        write_hosts(&dir.path().join("hosts"), hosts);
    }

    /// Moves invitation `id`'s expiry a minute into the past, as if its time had run out.
    pub fn expire_invitation(&self, id: &str) {
        assert!(
            id.bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        );
        let past = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            - 60_000;
        self.run_sql(&format!(
            "UPDATE invitations SET expires_at_ms = {past} WHERE id = '{id}'"
        ));
    }

    /// A new named token with `role`, made on the running server's data.
    pub fn new_token(&self, name: &str, role: &str) -> String {
        let (made, token, error) = self.tokens(&["create", name, "--role", role]);
        assert!(made, "tokens create failed: {error}");
        token.trim().to_owned()
    }

    /// Sends SIGTERM, as a service manager stopping the server would, and waits up to
    /// `within` for the process to exit; returns how long it took, or `None` if it lives on.
    pub fn terminate(&mut self, within: Duration) -> Option<Duration> {
        let child = self.child.as_mut()?;
        let started = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
        while started.elapsed() < within {
            if child.try_wait().expect("the server process").is_some() {
                self.child = None;
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        // A failing test shows what the server said.
        if std::thread::panicking() {
            eprintln!(
                "--- log of the server at {} ---\n{}",
                self.base_url,
                std::fs::read_to_string(&self.log_path).unwrap_or_default()
            );
        }
    }
}

/// Writes a hosts file: loopback's own names, then `hosts`.
fn write_hosts(path: &Path, hosts: &[(String, String)]) {
    let mut text = String::from("127.0.0.1 localhost\n::1 localhost\n");
    for (name, address) in hosts {
        text.push_str(&format!("{address} {name}\n"));
    }
    std::fs::write(path, text).expect("the hosts file");
}

/// Forwards stdout lines to a channel, so waiting for one can time out.
fn start_line_reader(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// A server whose console is a folder holding `files` (name, contents), as a build would have
/// written them (with their `.br` and `.gz` twins where given): for tests of how files are
/// served, which need no real build. The folder lives as long as the second value.
pub fn serving_files(files: &[(&str, &[u8])]) -> (TestServer, tempfile::TempDir) {
    let dist = tempfile::tempdir().expect("a folder for the console's files");
    for (name, contents) in files {
        std::fs::write(dist.path().join(name), contents).expect("a console file");
    }
    let server = TestServer::start_with(ServerOptions {
        dist_dir: Some(dist.path().to_owned()),
        ..Default::default()
    });
    (server, dist)
}

/// A server behind an authenticating proxy on loopback (the default trusted address) that
/// names the caller in `header`, with `roles` (the roles file's TOML) and `extra` options; the
/// folder holding the roles file lives as long as the second value.
pub fn behind_proxy(header: &str, roles: &str, extra: &[&str]) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a folder for the roles file");
    let file = dir.path().join("roles.toml");
    std::fs::write(&file, roles).expect("the roles file");
    let mut args = vec![
        "--auth-proxy-header".to_owned(),
        header.to_owned(),
        "--roles".to_owned(),
        file.display().to_string(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let server = TestServer::start_with(ServerOptions {
        extra_args: args,
        ..Default::default()
    });
    (server, dir)
}

/// Sends `request` (the raw bytes of an HTTP/1.1 request, as written) to `server` and reads
/// the answer until the server closes the connection or `timeout` passes. For requests no
/// HTTP client would send as they are: dot segments, broken headers.
pub fn raw_http(server: &TestServer, request: &[u8], timeout: Duration) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    stream
        .set_read_timeout(Some(timeout))
        .expect("read timeout");
    stream.write_all(request).expect("send the request");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw HTTP answer (`HTTP/1.1 404 Not Found` → 404); 0 for none.
pub fn raw_status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// The invitation link in the newest mail `server` wrote to its data folder for `address` (no
/// mail server configured), waiting up to ten seconds for it.
pub fn mail_link(server: &TestServer, address: &str) -> String {
    let started = std::time::Instant::now();
    let folder = server.data_dir.join("mail");
    loop {
        let mut mails: Vec<_> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .map(|entry| entry.unwrap().path())
                    .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        mails.sort_by_key(|path| std::fs::metadata(path).unwrap().modified().unwrap());
        let found = mails.iter().rev().find_map(|path| {
            let mail = smtp::parse(std::fs::read(path).unwrap());
            (mail.to == [address]).then(|| {
                mail.text
                    .split_whitespace()
                    .find(|word| word.contains("/invitation/"))
                    .unwrap()
                    .to_owned()
            })
        });
        if let Some(link) = found {
            return link;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no mail for {address}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// What a host application's check of an accept ticket says (PyJWT, in Debian's Python, run
/// by `testkit/tickets/verify_ticket.py`): `Ok(claims)`, or `Err(why)`.
pub fn verify_ticket(
    ticket: &str,
    secret: &str,
    audience: &str,
    issuer: &str,
) -> Result<serde_json::Value, String> {
    let script = workspace_root().join("testkit/tickets/verify_ticket.py");
    let output = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .args([ticket, secret, audience, issuer])
        .output()
        .expect("Debian's python3 runs");
    let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if output.status.success() {
        Ok(serde_json::from_str(&said).expect("the claims as JSON"))
    } else {
        Err(format!(
            "{said}{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
