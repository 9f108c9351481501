//! What a second probe found at the edges of the landed server, over real HTTP: each test
//! here failed before the fix it pins.

use std::time::Duration;

use testkit::{Api, LIST_PATH, TestServer, raw_http, raw_status};

use crate::operations::{metrics_url, scrape, started_with};

/// Sends one request with `method` on a connection of its own and returns the raw answer.
fn with_method(server: &TestServer, method: &str, path: &str) -> String {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port()
    );
    raw_http(server, request.as_bytes(), Duration::from_secs(10))
}

#[test]
fn an_unknown_method_is_405_and_never_a_series_or_a_long_log_line() {
    let server = started_with(&["--metrics-addr", "127.0.0.1:0"]);
    let url = metrics_url(&server);
    let series = || {
        scrape(&url)
            .keys()
            .filter(|name| name.starts_with("org_invitations_http_requests_total"))
            .count()
    };
    let first = with_method(&server, "PROPFIND", LIST_PATH);
    assert_eq!(raw_status(&first), 405, "{first}");
    assert!(
        first.contains(r#"{"error":{"detail":"#),
        "the error body: {first}"
    );
    let before = series();
    for n in 0..2_000 {
        let method = format!("M{n:0>199}");
        let answer = with_method(
            &server,
            &method,
            if n % 2 == 0 { LIST_PATH } else { "/x.js" },
        );
        assert_eq!(raw_status(&answer), 405, "{method}: {answer}");
    }
    assert_eq!(series(), before, "2,000 methods made no series");

    let huge = "X".repeat(200 * 1024);
    assert_eq!(raw_status(&with_method(&server, &huge, "/")), 405);
    // Every answer so far is logged, and no line holds more than a few hundred characters.
    let log = server.log();
    let longest = log.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 1_000, "a log line of {longest} bytes");
    assert!(
        log.contains("method=other"),
        "{}",
        &log[..log.len().min(2_000)]
    );

    // What the server knows still works, and a method a route does not take is still 405.
    let api = Api::new(&server);
    assert_eq!(api.get(LIST_PATH).status, 200);
    let bearer = format!("Bearer {}", server.token);
    for standard in ["PUT", "TRACE"] {
        let refused = api.request(standard, LIST_PATH, &[("Authorization", &bearer)]);
        assert_eq!(refused.status, 405, "{standard}: {}", refused.body);
        assert!(
            refused.detail().contains("not allowed"),
            "{standard}: the error body"
        );
    }
}

#[test]
fn a_long_path_is_cut_in_the_log() {
    let server = TestServer::start();
    let long = "/ppp".repeat(2_500);
    let answer = with_method(&server, "GET", &long);
    assert_eq!(raw_status(&answer), 404, "{answer}");
    let log = server.log();
    let line = log
        .lines()
        .find(|line| line.contains("path=/ppp"))
        .expect(&log);
    assert!(line.len() < 1_000, "{line}");
    assert!(line.contains("ppp…"), "marked as cut: {line}");
}

/// A server whose console is a folder holding `app.js` and its brotli twin.
fn serving_a_folder() -> (TestServer, tempfile::TempDir) {
    testkit::serving_files(&[
        ("index.html", b"<!doctype html><title>x</title>"),
        ("app.js", b"export {};"),
        ("app.js.br", b"not really brotli"),
    ])
}

#[test]
fn a_console_file_that_cannot_be_read_is_404_and_only_get_and_head_read_one() {
    let (server, _dist) = serving_a_folder();
    let api = Api::new(&server);
    assert_eq!(api.get_with("/app.js", &[]).status, 200);
    for (path, why) in [
        (
            format!("/{}", "a".repeat(256)),
            "a segment longer than a file name may be",
        ),
        (format!("/{}.js", "b".repeat(300)), "a longer one"),
        ("/app.js/inside".to_owned(), "a file taken for a folder"),
    ] {
        let reply = api.get_with(&path, &[]);
        assert_eq!(reply.status, 404, "{why}: {}", reply.body);
        assert!(
            reply.detail().contains("Not found"),
            "{why}: the error body"
        );
    }
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = api.send(
            method,
            "/app.js",
            &[("Content-Type", "application/json")],
            "{}",
        );
        assert_eq!(reply.status, 405, "{method}: {}", reply.body);
        assert_eq!(reply.headers["allow"], "GET, HEAD", "{method}");
        assert!(
            reply.detail().contains("GET or HEAD"),
            "{method}: {}",
            reply.body
        );
    }
    assert_eq!(api.request("HEAD", "/app.js", &[]).status, 200);
}

const WRONG: &str = "Bearer sss_wrong_token_0123456789abcdef0123";
const ROLES: &str = "viewer = [\"*@corp.example\"]\n";

/// The statuses of `times` wrong tokens, each sent with the headers `each` gives for its number.
fn guesses(api: &Api, times: usize, each: impl Fn(usize) -> Vec<(String, String)>) -> Vec<u16> {
    (0..times)
        .map(|n| {
            let mut headers = each(n);
            headers.push(("Authorization".into(), WRONG.into()));
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            api.get_with(LIST_PATH, &headers).status
        })
        .collect()
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn behind_the_proxy_the_client_is_read_only_from_the_header_the_proxy_writes() {
    let (server, _roles) =
        testkit::behind_proxy("X-Forwarded-Email", ROLES, &["--auth-failure-limit", "5"]);
    let api = Api::new(&server);
    // A guesser rotating a Forwarded header of its own, which the proxy passed through beside
    // the X-Forwarded-For it appended, is still one client.
    let rotating = guesses(&api, 40, |n| {
        vec![
            header("Forwarded", &format!("for=198.51.100.{n}")),
            header("X-Forwarded-For", &format!("10.1.1.{n}, 203.0.113.7")),
        ]
    });
    assert_eq!(rotating[..5], [401; 5]);
    assert!(
        rotating[5..].iter().all(|status| *status == 429),
        "{rotating:?}"
    );

    // Nor can it spend a colleague's allowance by naming the colleague.
    let framing = guesses(&api, 5, |_| {
        vec![
            header("Forwarded", "for=203.0.113.8"),
            header("X-Forwarded-For", "203.0.113.9"),
        ]
    });
    assert_eq!(framing, [401; 5]);
    let owner = format!("Bearer {}", server.token);
    let colleague = [
        ("Authorization", owner.as_str()),
        ("X-Forwarded-For", "203.0.113.8"),
    ];
    assert_eq!(
        api.get_with(LIST_PATH, &colleague).status,
        200,
        "the colleague"
    );

    // A hop the server cannot read is refused, never counted against the proxy's own address.
    for hops in ["unknown", "203.0.113.7, unknown", "_obfuscated"] {
        let statuses = guesses(&api, 6, |_| vec![header("X-Forwarded-For", hops)]);
        assert_eq!(statuses, [400; 6], "{hops}");
    }
    let link = format!("/invitation/{}", "0".repeat(64));
    let page = api.get_with(&link, &[("X-Forwarded-For", "unknown")]);
    assert_eq!(page.status, 400, "an invitation link too: {}", page.body);
    let reply = api.get_with(
        LIST_PATH,
        &[("Authorization", &owner), ("X-Forwarded-For", "unknown")],
    );
    assert!(reply.detail().contains("client address"), "{}", reply.body);
    assert_eq!(
        api.get_with(LIST_PATH, &[("Authorization", owner.as_str())])
            .status,
        200,
        "the proxy's own address was never blocked"
    );
}

#[test]
fn a_proxy_that_writes_forwarded_is_read_from_forwarded_only() {
    let (server, _roles) = testkit::behind_proxy(
        "X-Forwarded-Email",
        ROLES,
        &[
            "--auth-failure-limit",
            "5",
            "--client-address-header",
            "Forwarded",
        ],
    );
    let api = Api::new(&server);
    let rotating = guesses(&api, 8, |n| {
        vec![
            header("X-Forwarded-For", &format!("198.51.100.{n}")),
            header("Forwarded", "for=203.0.113.7"),
        ]
    });
    assert_eq!(rotating, [401, 401, 401, 401, 401, 429, 429, 429]);
    let owner = format!("Bearer {}", server.token);
    let other = [
        ("Authorization", owner.as_str()),
        ("Forwarded", "for=\"[2001:db8::7]:4711\""),
    ];
    assert_eq!(api.get_with(LIST_PATH, &other).status, 200);
}

/// Sends SIGHUP to `server`, as an operator reloading the roles file does.
fn hang_up(server: &TestServer) {
    let sent = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// The status of `/healthz` within `wait`, over a connection of its own; 0 for no answer.
fn health_within(server: &TestServer, wait: Duration) -> u16 {
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port()
    );
    raw_status(&raw_http(server, request.as_bytes(), wait))
}

#[test]
fn a_roles_file_that_cannot_be_read_well_never_stops_the_server_or_the_roles() {
    let (mut server, dir) = testkit::behind_proxy(
        "X-Forwarded-Email",
        "admin = [\"alice@corp.example\"]\n",
        &[],
    );
    let roles = dir.path().join("roles.toml");
    let api = Api::new(&server);
    let role = || {
        api.get_with(
            "/api/console/me",
            &[("X-Forwarded-Email", "alice@corp.example")],
        )
        .json()["result"]["role"]
            .clone()
    };
    assert_eq!(role(), "admin");
    let refusals =
        |server: &TestServer| server.log().matches("roles file refused on SIGHUP").count();

    // Larger than a roles file can be: refused, the roles in force stay.
    let mut large = String::from("admin = [\"alice@corp.example\"]\n");
    while large.len() <= 1024 * 1024 {
        large.push_str("# a comment that fills the file up\n");
    }
    std::fs::write(&roles, &large).unwrap();
    hang_up(&server);
    crate::operations::eventually("the large file is refused", || refusals(&server) == 1);
    assert!(server.log().contains("larger than"), "{}", server.log());
    assert_eq!(role(), "admin");

    // Empty: in force, as the operator asked, with a warning that nobody has a role now.
    std::fs::write(&roles, "").unwrap();
    hang_up(&server);
    crate::operations::eventually("the empty file is warned about", || {
        server.log().contains("grants no role to anyone")
    });
    crate::operations::eventually("no role now", || role().is_null());

    // A FIFO (a hung mount, in life): refused at once; the server answers and stops meanwhile.
    std::fs::write(&roles, "admin = [\"alice@corp.example\"]\n").unwrap();
    hang_up(&server);
    crate::operations::eventually("the roles are back", || role() == "admin");
    std::fs::remove_file(&roles).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&roles)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    hang_up(&server);
    crate::operations::eventually("the FIFO is refused", || refusals(&server) == 2);
    assert!(
        server.log().contains("not a regular file"),
        "{}",
        server.log()
    );
    assert_eq!(health_within(&server, Duration::from_secs(5)), 200);
    assert_eq!(role(), "admin");
    let stopped = server.terminate(Duration::from_secs(10));
    assert!(stopped.is_some(), "SIGTERM is acted on");
}

#[test]
fn a_session_cookie_planted_beside_the_real_one_is_ignored_and_never_a_failure() {
    let server = started_with(&["--auth-failure-limit", "3"]);
    let api = Api::new(&server);
    let session = api.sign_in();
    // What a page on another port of this host can set: the same name, Path=/api.
    for cookies in [
        format!("oi_session=planted; {session}"),
        format!("{session}; oi_session=planted"),
        format!("oi_session=a; oi_session=b; {session}"),
    ] {
        for _ in 0..3 {
            let listed = api.get_with(LIST_PATH, &[("Cookie", &cookies)]);
            assert_eq!(listed.status, 200, "{cookies}: {}", listed.body);
        }
    }
    let cookies = format!("oi_session=planted; {session}");
    let invited = api.send(
        "POST",
        "/api/v2/organization_invitations/batch_create",
        &[
            ("Cookie", &cookies),
            ("Origin", &server.base_url),
            ("Content-Type", "application/json"),
        ],
        r#"[{"email": "planted@example.com"}]"#,
    );
    assert_eq!(invited.status, 200, "{}", invited.body);
    // None of those counted as failures: the limit of three is untouched.
    let wrong = [("Authorization", WRONG)];
    assert_eq!(api.get_with(LIST_PATH, &wrong).status, 401);
    // Only planted ones prove nothing; different kinds together are still refused.
    let junk = api.get_with(LIST_PATH, &[("Cookie", "oi_session=a; oi_session=b")]);
    assert_eq!(junk.status, 401);
    let owner = format!("Bearer {}", server.token);
    let two_kinds = api.get_with(
        LIST_PATH,
        &[("Cookie", &cookies), ("Authorization", &owner)],
    );
    assert_eq!(two_kinds.status, 400, "{}", two_kinds.body);
    assert!(two_kinds.detail().contains("exactly one credential"));
    // Signing out works with the planted one beside, and ends the real session.
    let out = api.send(
        "POST",
        "/api/console/sign-out",
        &[("Cookie", &cookies), ("Origin", &server.base_url)],
        "",
    );
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &session)]).status, 401);
}

/// Runs `backup --to to` beside `server`, from `folder`, under umask 000 (so nothing but the
/// command itself keeps the copy private).
fn backup_into(
    server: &TestServer,
    folder: &std::path::Path,
    to: &std::ffi::OsStr,
) -> (bool, String) {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(testkit::server_binary())
        .args(["backup", "--data-dir"])
        .arg(&server.data_dir)
        .arg("--to")
        .arg(to)
        .current_dir(folder)
        .env_remove("ORG_INVITATIONS_DATABASE_URL")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

#[test]
fn a_backup_is_written_into_exactly_the_file_it_names_and_stays_private() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start();
    if server.database_url.is_some() {
        return;
    }
    Api::new(&server).invite(&["kept@example.com"]);
    let folder = tempfile::tempdir().unwrap();
    let listed = || {
        let mut names: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    let (made, said) = backup_into(
        &server,
        folder.path(),
        std::ffi::OsStr::from_bytes(b"copy-\xff.sqlite3"),
    );
    assert!(!made && said.contains("not UTF-8"), "{said}");
    for uri in ["file:copy.sqlite3", "FILE:copy.sqlite3?mode=rwc"] {
        let (made, said) = backup_into(&server, folder.path(), uri.as_ref());
        assert!(!made && said.contains("URI"), "{uri}: {said}");
    }
    assert!(listed().is_empty(), "nothing was written: {:?}", listed());

    // A link where the name is: refused, and nothing is written where it points.
    std::os::unix::fs::symlink(
        folder.path().join("elsewhere.sqlite3"),
        folder.path().join("link.sqlite3"),
    )
    .unwrap();
    let (made, said) = backup_into(&server, folder.path(), "link.sqlite3".as_ref());
    assert!(!made, "{said}");
    assert_eq!(listed(), ["link.sqlite3"]);

    let (made, said) = backup_into(&server, folder.path(), "copy.sqlite3".as_ref());
    assert!(made, "{said}");
    assert_eq!(
        listed(),
        ["copy.sqlite3", "link.sqlite3"],
        "the copy, and no scratch file"
    );
    let copy = folder.path().join("copy.sqlite3");
    assert_eq!(
        std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bytes = std::fs::read(&copy).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    assert!(
        bytes
            .windows(16)
            .any(|window| window == b"kept@example.com"),
        "the invitation is in the copy"
    );
    let data: Vec<String> = std::fs::read_dir(&server.data_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".backup-"))
        .collect();
    assert!(
        data.is_empty(),
        "no scratch file left in the data folder: {data:?}"
    );
}
