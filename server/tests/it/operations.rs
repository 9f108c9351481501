//! What an operator relies on, against the real server over HTTP: probes, metrics, JSON logs,
//! backups of the SQLite store and restoring them, re-reading the roles file on SIGHUP, and
//! the binary's own health check.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::{Api, LIST_PATH, ServerOptions, TestServer};

const HEADER: &str = "X-Forwarded-Email";

pub(crate) fn started_with(args: &[&str]) -> TestServer {
    TestServer::start_with(ServerOptions {
        extra_args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        ..Default::default()
    })
}

/// Waits until `condition` holds, up to ten seconds.
pub(crate) fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn probes_need_no_credential_are_never_limited_and_stay_out_of_the_info_log() {
    let server = started_with(&["--auth-failure-limit", "1"]);
    let api = Api::new(&server);
    let wrong = [("Authorization", "Bearer sss_wrong_token_0123456789abcdefgh")];
    api.get_with(LIST_PATH, &wrong);
    assert_eq!(
        api.get_with(LIST_PATH, &wrong).status,
        429,
        "the address is refused"
    );
    let health = api.get_with("/healthz", &[]);
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({"status": "ok", "checks": {}}));
    let ready = api.get_with("/readyz", &[]);
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(
        ready.json(),
        json!({"status": "ok", "checks": {"store": "ok"}})
    );
    assert!(
        ready.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let log = server.log();
    assert!(
        !log.contains("/healthz") && !log.contains("/readyz"),
        "{log}"
    );
    assert!(
        log.contains("path=/api/v2/organization_invitations/"),
        "{log}"
    );
}

/// The metrics listener's address, as the server logs it at start.
pub(crate) fn metrics_url(server: &TestServer) -> String {
    let mut found = None;
    eventually("the metrics listener is announced", || {
        found = server.log().lines().find_map(|line| {
            line.contains("metrics served")
                .then(|| line.split("address=").nth(1))
                .flatten()
                .map(|rest| rest.split_whitespace().next().unwrap_or("").to_owned())
        });
        found.is_some()
    });
    format!("http://{}/metrics", found.unwrap())
}

/// Every sample of the text format, by its name and labels as written.
pub(crate) fn scrape(url: &str) -> HashMap<String, f64> {
    let text = ureq::get(url)
        .call()
        .expect("the metrics answer")
        .body_mut()
        .read_to_string()
        .unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn metrics_count_exactly_the_requests_made_by_route_on_their_own_listener() {
    let server = started_with(&["--metrics-addr", "127.0.0.1:0"]);
    let api = Api::new(&server);
    let url = metrics_url(&server);
    assert_ne!(
        url,
        server.url("/metrics"),
        "metrics are on a listener of their own"
    );
    assert_eq!(
        api.get_with("/metrics", &[]).status,
        404,
        "not on the API's"
    );
    let before = scrape(&url);
    let listed = r#"org_invitations_http_requests_total{route="/api/v2/organization_invitations/",method="GET",status="200"}"#;
    let one = r#"org_invitations_http_requests_total{route="/api/v2/organization_invitations/{id}",method="GET",status="404"}"#;
    let refused = r#"org_invitations_refusals_total{kind="unauthorized"}"#;
    for _ in 0..3 {
        assert_eq!(api.get(LIST_PATH).status, 200);
    }
    for id in ["orginv_a", "orginv_b"] {
        assert_eq!(api.get(&format!("{LIST_PATH}{id}")).status, 404);
    }
    api.get_with(
        LIST_PATH,
        &[("Authorization", "Bearer sss_wrong_token_0123456789abcdefgh")],
    );
    api.invite(&["metrics@example.com"]);
    let after = scrape(&url);
    let moved = |name: &str| {
        after.get(name).copied().unwrap_or(0.0) - before.get(name).copied().unwrap_or(0.0)
    };
    assert_eq!(moved(listed), 3.0, "{after:?}");
    assert_eq!(
        moved(one),
        2.0,
        "one series for every id: the route template"
    );
    assert_eq!(moved(refused), 1.0);
    assert!(
        !after.keys().any(|name| name.contains("orginv_a")),
        "no raw path in a label"
    );
    assert!(
        after.contains_key(&format!(
            "org_invitations_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        "build info"
    );
    assert!(
        after
            .keys()
            .any(|name| name.starts_with("org_invitations_http_request_duration_seconds_bucket")),
        "a latency histogram"
    );
    assert!(
        after.keys().any(|name| name
            .contains("org_invitations_store_operation_duration_seconds_count")
            && name.contains("create_many")),
        "store operations timed"
    );
    assert!(after.contains_key("org_invitations_http_requests_in_flight"));
    if server.database_url.is_some() {
        assert!(
            after.contains_key(r#"org_invitations_postgres_pool_connections{state="size"}"#),
            "the pool"
        );
    } else {
        assert!(
            after
                .keys()
                .any(|name| name.starts_with("org_invitations_sqlite_group_commit_batch_size")),
            "group commit"
        );
    }
}

#[test]
fn json_logs_are_one_object_a_line_with_the_request_and_no_secret() {
    let server = started_with(&["--log-format", "json"]);
    let api = Api::new(&server);
    let cookie = api.sign_in();
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &cookie)]).status, 200);
    api.invite(&["logged@example.com"]);
    let log = server.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
        .collect();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "request")
        .collect();
    assert!(requests.len() >= 3, "{log}");
    for line in &requests {
        for field in [
            "timestamp",
            "level",
            "request_id",
            "method",
            "route",
            "status",
            "latency_ms",
            "client",
        ] {
            assert!(!line[field].is_null(), "{field} in {line}");
        }
    }
    let batch = requests
        .iter()
        .find(|line| line["route"] == "/api/v2/organization_invitations/batch_create")
        .expect("the batch's line");
    assert_eq!(batch["actor"], "owner");
    assert_eq!(batch["status"], 200);
    assert_eq!(batch["client"], "127.0.0.1");
    let session = &cookie[cookie.find('=').unwrap() + 1..];
    for secret in [server.token.as_str(), session] {
        assert!(!log.contains(secret), "a secret in the log:\n{log}");
    }
}

/// Runs the server binary's `backup` beside the running server.
fn backup(server: &TestServer, to: &std::path::Path) -> (bool, String) {
    let output = Command::new(testkit::server_binary())
        .args(["backup", "--data-dir"])
        .arg(&server.data_dir)
        .arg("--to")
        .arg(to)
        .args(
            server
                .database_url
                .iter()
                .flat_map(|url| ["--database-url", url]),
        )
        .env_remove("ORG_INVITATIONS_DATABASE_URL")
        .output()
        .unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn a_backup_during_writes_holds_every_acknowledged_write_and_restores_as_it_was() {
    let server = TestServer::start();
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy.sqlite3");
    if server.database_url.is_some() {
        let (made, said) = backup(&server, &copy);
        assert!(!made && said.contains("pg_dump"), "{said}");
        return;
    }
    let acknowledged = std::sync::Mutex::new(Vec::new());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let at_backup = std::thread::scope(|scope| {
        scope.spawn(|| {
            let writer = Api::new(&server);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let results = writer.invite(&[&format!("w{n}@example.com")]);
                assert_eq!(results[0]["status"], 200);
                acknowledged
                    .lock()
                    .unwrap()
                    .push(format!("w{n}@example.com"));
                n += 1;
            }
        });
        eventually("writes are under way", || {
            acknowledged.lock().unwrap().len() >= 20
        });
        let before: Vec<String> = acknowledged.lock().unwrap().clone();
        let (made, said) = backup(&server, &copy);
        assert!(made, "{said}");
        assert!(said.contains("Backed up"), "{said}");
        eventually("writes go on after the backup", || {
            acknowledged.lock().unwrap().len() >= before.len() + 20
        });
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        before
    });
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let (again, said) = backup(&server, &copy);
    assert!(!again, "an existing file is never overwritten");
    assert!(said.contains("never overwrites"), "{said}");

    // Restore: a fresh data folder with the copy as its database, served as the store was.
    let fresh = tempfile::tempdir().unwrap();
    let data = fresh.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(&copy, data.join("invitations.sqlite3")).unwrap();
    let restored = TestServer::start_with(ServerOptions {
        data_dir: Some(data),
        ..Default::default()
    });
    let listed: Vec<String> = Api::new(&restored)
        .list_all("count=1000")
        .iter()
        .map(|invitation| invitation["email"].as_str().unwrap().to_owned())
        .collect();
    for email in &at_backup {
        assert!(
            listed.contains(email),
            "{email} was acknowledged before the backup"
        );
    }
    assert_eq!(
        Api::new(&restored).get_with("/readyz", &[]).status,
        200,
        "the copy opens cleanly"
    );
}

#[test]
fn sighup_reads_the_roles_file_again_and_a_broken_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let roles = dir.path().join("roles.toml");
    std::fs::write(&roles, "viewer = [\"alice@corp.example\"]\n").unwrap();
    let server = started_with(&[
        "--auth-proxy-header",
        HEADER,
        "--roles",
        roles.to_str().unwrap(),
    ]);
    let api = Api::new(&server);
    let role = || {
        api.get_with("/api/console/me", &[(HEADER, "alice@corp.example")])
            .json()["result"]["role"]
            .clone()
    };
    assert_eq!(role(), "viewer");
    let hang_up = || {
        let sent = Command::new("kill")
            .args(["-HUP", &server.pid().unwrap().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    std::fs::write(&roles, "admin = [\"alice@corp.example\"]\n").unwrap();
    hang_up();
    eventually("the new roles are in force", || role() == "admin");

    std::fs::write(&roles, "admin = [\"alice@corp.example\"]\nsuperuser = 3\n").unwrap();
    hang_up();
    eventually("the broken file is refused in the log", || {
        server.log().contains("roles file refused on SIGHUP")
    });
    let log = server.log();
    assert!(log.contains("line 2"), "the broken line is named:\n{log}");
    assert_eq!(role(), "admin", "the roles in force stay");
}

#[test]
fn the_healthcheck_subcommand_exits_0_only_for_a_ready_server() {
    let server = TestServer::start();
    let check = |url: &str| {
        Command::new(testkit::server_binary())
            .args(["healthcheck", "--url", url])
            .output()
            .unwrap()
    };
    assert!(check(&server.base_url).status.success());
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let down = check(&format!("http://127.0.0.1:{closed}"));
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot reach"));
}

#[test]
fn every_option_is_also_an_environment_variable_and_conflicts_are_refused_before_start() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(ServerOptions {
        envs: vec![
            (
                "ORG_INVITATIONS_ORGANIZATION_NAME".into(),
                "From the environment".into(),
            ),
            ("ORG_INVITATIONS_MAX_PAGE_SIZE".into(), "7".into()),
        ],
        ..Default::default()
    });
    let api = Api::new(&server);
    let userinfo = api.get("/api/v2/userinfo/").json();
    assert!(
        userinfo.to_string().contains("From the environment"),
        "{userinfo}"
    );
    assert_eq!(api.get(&format!("{LIST_PATH}?count=8")).status, 422);
    let help = Command::new(testkit::server_binary())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for heading in [
        "Listening:",
        "Storage:",
        "Gateway:",
        "Team sign-in:",
        "Limits:",
        "Operations:",
    ] {
        assert!(help.contains(heading), "{heading}\n{help}");
    }
    for line in help
        .lines()
        .filter(|line| line.trim_start().starts_with("--"))
    {
        let option = line.split_whitespace().next().unwrap();
        if option == "--help" || option == "--version" {
            continue;
        }
        let variable = format!(
            "ORG_INVITATIONS_{}",
            option
                .trim_start_matches("--")
                .replace('-', "_")
                .to_uppercase()
        );
        assert!(help.contains(&variable), "{option} has no {variable}");
    }
    let refused = Command::new(testkit::server_binary())
        .args(["--demo", "--upstream", "http://127.0.0.1:1", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot be used with"),
        "clap refuses it before anything starts"
    );
}
