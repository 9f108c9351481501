//! What an operator deploys, deployed as they would: the release archive's binary unpacked
//! into an empty folder and started from `/`, the same binary in an empty read-only root as
//! nobody, and the image run by podman. `cargo xtask test ship` builds the archive and the
//! image and says where they are (`ORG_INVITATIONS_TARBALL`, `ORG_INVITATIONS_IMAGE`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use testkit::LIST_PATH;

const TOKEN: &str = "sss_shipped_server_token_0123456789";

fn from_env(variable: &str) -> String {
    std::env::var(variable)
        .unwrap_or_else(|_| panic!("{variable} is not set: run `cargo xtask test ship`"))
}

/// The archive unpacked into a fresh folder; the binary's path inside it.
fn unpacked(into: &Path) -> PathBuf {
    let archive = from_env("ORG_INVITATIONS_TARBALL");
    let status = Command::new("tar")
        .args(["-xzf", &archive, "-C"])
        .arg(into)
        .status()
        .unwrap();
    assert!(status.success());
    let folder = std::fs::read_dir(into)
        .unwrap()
        .flatten()
        .next()
        .expect("one folder in the archive")
        .path();
    for file in [
        "org-invitations-server",
        "README.md",
        "org-invitations.service",
        "roles.example.toml",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(folder.join(file).exists(), "{file} in the archive");
    }
    let unit = std::fs::read_to_string(folder.join("org-invitations.service")).unwrap();
    for hardening in [
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "StateDirectory=",
        "DynamicUser=yes",
    ] {
        assert!(unit.contains(hardening), "{hardening} in the unit");
    }
    folder.join("org-invitations-server")
}

/// A server process started by a command of the test's own, killed when dropped.
struct Running {
    child: Child,
    base_url: String,
}

impl Running {
    /// Starts `command` and waits for the line saying where it listens.
    fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(url) = line.strip_prefix("org-invitations server listening on ") {
                let base_url = url.trim().replace("0.0.0.0", "127.0.0.1");
                // The rest of what it prints is read, so printing never fails.
                std::thread::spawn(move || lines.for_each(drop));
                return Self { child, base_url };
            }
        }
        panic!("the server stopped before it listened: {:?}", child.wait());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request over plain HTTP, as a browser or a script sends it.
fn get(url: &str, headers: &[(&str, &str)]) -> ureq::http::Response<ureq::Body> {
    request("GET", url, headers)
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> ureq::http::Response<ureq::Body> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .allow_non_standard_methods(true)
        .build()
        .into();
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    agent
        .run(request.body(String::new()).expect("a valid request"))
        .expect("the server answers")
}

/// The main module's path, as the page names it (`/org-invitations_bg-<hash>.wasm`).
fn main_module_named_by(base_url: &str) -> String {
    let page = get(&format!("{base_url}/"), &[])
        .into_body()
        .read_to_string()
        .expect("the page is text");
    let start = page
        .find("/org-invitations_bg-")
        .unwrap_or_else(|| panic!("the page names no main module:\n{page}"));
    let end = start + page[start..].find(".wasm").expect("the module's name ends") + ".wasm".len();
    page[start..end].to_owned()
}

/// What any deployment must do: the console (brotli to a browser that accepts it, with an
/// ETag answered 304), the API with the token, the probes.
fn serves_the_console_and_the_api(base_url: &str) {
    let page = get(&format!("{base_url}/"), &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "br");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let wasm_url = format!("{base_url}{}", main_module_named_by(base_url));
    let wasm = get(&wasm_url, &[("Accept-Encoding", "br")]);
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable",
        "a module's name carries its content's hash"
    );
    let etag = wasm.headers()["etag"].to_str().unwrap().to_owned();
    let again = get(
        &wasm_url,
        &[("Accept-Encoding", "br"), ("If-None-Match", &etag)],
    );
    assert_eq!(again.status(), 304);
    let weak = format!("W/{etag}");
    let weakly = get(
        &wasm_url,
        &[("Accept-Encoding", "br"), ("If-None-Match", &weak)],
    );
    assert_eq!(weakly.status(), 304, "If-None-Match compares weakly");
    let element = format!("{base_url}/org-invitations-element.js");
    let plain = get(&element, &[]);
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let refused = get(&element, &[("Accept-Encoding", "br;q=0.0, gzip;Q=0")]);
    assert!(
        refused.headers().get("content-encoding").is_none(),
        "q=0 in any spelling"
    );
    let upper = get(&wasm_url, &[("Accept-Encoding", "BR")]);
    assert_eq!(
        upper.headers()["content-encoding"],
        "br",
        "names in any case"
    );
    for method in ["POST", "PUT", "DELETE"] {
        let written = request(method, &element, &[]);
        assert_eq!(written.status(), 405, "{method} on a console file");
        assert_eq!(written.headers()["allow"], "GET, HEAD");
    }
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        get(
            &format!("{base_url}{LIST_PATH}"),
            &[("Authorization", &bearer)]
        )
        .status(),
        200
    );
    assert_eq!(get(&format!("{base_url}/readyz"), &[]).status(), 200);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
#[ignore = "needs the release archive: `cargo xtask test ship` builds it"]
fn the_archives_binary_serves_everything_from_an_empty_folder_and_the_cli_works() {
    let unpack = tempfile::tempdir().unwrap();
    let binary = unpacked(unpack.path());
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(&binary);
    command
        .current_dir("/")
        .args(["--port", "0", "--token", TOKEN, "--data-dir"])
        .arg(data.path().join("data"))
        .env_clear();
    let server = Running::start(command);
    serves_the_console_and_the_api(&server.base_url);

    let cli = testkit::installed_tool("ANYSCALE_CLI", "anyscale-venv/bin/anyscale");
    let anyscale = |args: &[&str]| {
        Command::new(&cli)
            .args(["organization-invitation"])
            .args(args)
            .env("ANYSCALE_HOST", &server.base_url)
            .env("ANYSCALE_CLI_TOKEN", TOKEN)
            .env("HOME", data.path())
            .env("COLUMNS", "200")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let created = anyscale(&["create", "--emails", "shipped@example.com"]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let listed = anyscale(&["list"]);
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("shipped@example.com"),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
}

#[test]
#[ignore = "needs the release archive and bubblewrap: `cargo xtask test ship` provides both"]
fn the_static_binary_serves_in_an_empty_read_only_root_as_nobody() {
    let unpack = tempfile::tempdir().unwrap();
    let binary = unpacked(unpack.path());
    let root = tempfile::tempdir().unwrap();
    for folder in ["data", "proc", "dev"] {
        std::fs::create_dir(root.path().join(folder)).unwrap();
    }
    std::fs::write(root.path().join("server"), b"").unwrap();
    // The sandbox maps this process's user to 65534: the data folder is nobody's inside it,
    // and the only place it can write.
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut command = Command::new(std::env::var("BWRAP").unwrap_or_else(|_| "bwrap".into()));
    command
        .args([
            "--unshare-all",
            "--share-net",
            // Killing bubblewrap kills the server inside: the sandbox is its own PID namespace.
            "--die-with-parent",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--ro-bind",
        ])
        .arg(root.path())
        .arg("/")
        .arg("--bind")
        .arg(data.path())
        .arg("/data")
        .arg("--ro-bind")
        .arg(&binary)
        .arg("/server")
        .args([
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--chdir",
            "/",
            "--clearenv",
            "/server",
        ])
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--token",
            TOKEN,
            "--data-dir",
            "/data",
        ]);
    let server = Running::start(command);
    serves_the_console_and_the_api(&server.base_url);
    assert!(
        data.path().join("invitations.sqlite3").exists(),
        "its data in the one writable folder"
    );
    assert!(!listening_on(port).is_empty(), "the server is seen");
    drop(server);
    let stopped = std::time::Instant::now();
    while !listening_on(port).is_empty() {
        assert!(
            stopped.elapsed() < std::time::Duration::from_secs(10),
            "the sandboxed server outlived the test: {:?}",
            listening_on(port)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The processes started with `--port PORT`, by their ids, as /proc lists them.
fn listening_on(port: u16) -> Vec<u32> {
    let wanted = format!("\0--port\0{port}\0");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(&wanted))
        })
        .collect()
}

/// podman as `cargo xtask test ship` configured it.
fn podman() -> Command {
    let mut command = Command::new("podman");
    command
        .env("CONTAINERS_CONF", from_env("CONTAINERS_CONF"))
        .args(["--runtime", "runc"]);
    command
}

fn podman_ok(args: &[&str]) -> String {
    let output = podman().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A container and its volume, removed with this.
struct Container {
    name: String,
    volume: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = podman().args(["rm", "--force", &self.name]).output();
        let _ = podman()
            .args(["volume", "rm", "--force", &self.volume])
            .output();
    }
}

#[test]
#[ignore = "needs the image and podman: `cargo xtask test ship` builds it"]
fn the_image_becomes_healthy_keeps_its_data_and_runs_read_only() {
    let image = from_env("ORG_INVITATIONS_IMAGE");
    let port = free_port();
    let unique = format!("oi-test-{}-{port}", std::process::id());
    let container = Container {
        name: unique.clone(),
        volume: format!("{unique}-data"),
    };
    let run = || {
        podman_ok(&[
            "run",
            "--detach",
            "--name",
            &container.name,
            "--network",
            "host",
            "--read-only",
            "--volume",
            &format!("{}:/data", container.volume),
            // The port in the environment, where the health check reads it too.
            "--env",
            &format!("ORG_INVITATIONS_PORT={port}"),
            &image,
            // Arguments add to the image's defaults (0.0.0.0, /data), not replacing them.
            "--token",
            TOKEN,
        ])
    };
    run();
    let base_url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while podman()
        .args(["healthcheck", "run", &container.name])
        .status()
        .map_or(true, |status| !status.success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the container became healthy"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let inspected = podman_ok(&[
        "inspect",
        "--format",
        "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}",
        &container.name,
    ]);
    assert_eq!(inspected, "true 65534:65534");
    serves_the_console_and_the_api(&base_url);
    let bearer = format!("Bearer {TOKEN}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let created = agent
        .post(format!("{base_url}/api/v2/organization_invitations/"))
        .header("Authorization", &bearer)
        .content_type("application/json")
        .send(json!({"email": "kept@example.com"}).to_string())
        .unwrap();
    assert_eq!(created.status(), 200);

    // A new container on the same volume: the data is still there.
    podman_ok(&["rm", "--force", &container.name]);
    run();
    let started = Instant::now();
    let listed = loop {
        if let Ok(mut reply) = agent
            .get(format!("{base_url}{LIST_PATH}"))
            .header("Authorization", &bearer)
            .call()
        {
            if reply.status() == 200 {
                break reply.body_mut().read_to_string().unwrap();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the new container serves"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(listed.contains("kept@example.com"), "{listed}");
}
