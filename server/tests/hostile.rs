//! What a hostile or careless client tries, over real HTTP against the real server: each test
//! here failed before the server was hardened against it.

use serde_json::json;
use std::time::Duration;

use testkit::{Api, LIST_PATH, ServerOptions, TestServer, raw_http, raw_status};

const BATCH: &str = "/api/v2/organization_invitations/batch_create";

fn cookie(server: &TestServer) -> String {
    format!("cli_token={}", server.token)
}

fn listed(api: &Api) -> Vec<String> {
    api.list_all("")
        .iter()
        .map(|invitation| invitation["email"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn cross_site_writes_with_the_session_cookie_are_refused() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let cookie = cookie(&server);
    let body = json!([{"email": "victim@example.com"}]).to_string();
    let attempts: [(&str, &[(&str, &str)]); 6] = [
        (
            "another site",
            &[
                ("Origin", "https://evil.example"),
                ("Content-Type", "application/json"),
            ],
        ),
        (
            "an opaque origin",
            &[("Origin", "null"), ("Content-Type", "application/json")],
        ),
        (
            "another port on the same host",
            &[
                ("Origin", "http://127.0.0.1:1"),
                ("Content-Type", "application/json"),
            ],
        ),
        (
            "cross-site fetch metadata",
            &[
                ("Sec-Fetch-Site", "cross-site"),
                ("Content-Type", "application/json"),
            ],
        ),
        (
            "a sibling subdomain",
            &[
                ("Sec-Fetch-Site", "same-site"),
                ("Content-Type", "application/json"),
            ],
        ),
        (
            "another site, as a text/plain form",
            &[
                ("Origin", "https://evil.example"),
                ("Content-Type", "text/plain"),
            ],
        ),
    ];
    for (what, headers) in attempts {
        let mut headers = headers.to_vec();
        headers.push(("Cookie", &cookie));
        let reply = api.send("POST", BATCH, &headers, &body);
        assert_eq!(reply.status, 403, "{what}: {}", reply.body);
        assert!(reply.detail().contains("Cross-site"), "{what}");
    }
    assert!(listed(&api).is_empty(), "nothing was created");

    let own_origin = server.base_url.clone();
    for form in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let reply = api.send(
            "POST",
            BATCH,
            &[
                ("Cookie", &cookie),
                ("Origin", &own_origin),
                ("Content-Type", form),
            ],
            &body,
        );
        assert_eq!(reply.status, 415, "{form}: {}", reply.body);
    }
    assert!(
        listed(&api).is_empty(),
        "nothing was created by a form either"
    );

    // A revocation needs no body: the origin check alone must stop it.
    let id = api.invite(&["kept@example.com"])[0]["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{LIST_PATH}{id}/invalidate");
    let reply = api.send(
        "POST",
        &path,
        &[("Cookie", &cookie), ("Origin", "https://evil.example")],
        "",
    );
    assert_eq!(reply.status, 403);
    assert_eq!(listed(&api), ["kept@example.com"]);

    // The console's own pages, and programs that send no Origin (the Anyscale CLI), still write.
    let reply = api.send(
        "POST",
        BATCH,
        &[
            ("Cookie", &cookie),
            ("Origin", &own_origin),
            ("Content-Type", "application/json"),
        ],
        &json!([{"email": "same.origin@example.com"}]).to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = api.send(
        "POST",
        BATCH,
        &[("Cookie", &cookie), ("Content-Type", "application/json")],
        &json!([{"email": "program@example.com"}]).to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    // A bearer token is not sent by browsers on their own: scripts keep working from anywhere.
    let bearer = format!("Bearer {}", server.token);
    let reply = api.send(
        "POST",
        BATCH,
        &[
            ("Authorization", &bearer),
            ("Origin", "https://tool.example"),
            ("Content-Type", "text/plain"),
        ],
        &json!([{"email": "script@example.com"}]).to_string(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = api.send(
        "POST",
        &path,
        &[("Cookie", &cookie), ("Origin", &own_origin)],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn a_request_carries_exactly_one_credential() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let good = format!("cli_token={}", server.token);
    let many_cookies = format!(
        "{}; {good}",
        (0..2000)
            .map(|i| format!("cli_token=guess{i}"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let bearer = format!("Bearer {}", server.token);
    let two_tokens: [(&str, &str); 2] = [
        ("Authorization", "Bearer sss_wrongwrongwrongwrong"),
        ("Authorization", &bearer),
    ];
    let cookie_and_bearer: [(&str, &str); 2] = [("Cookie", &good), ("Authorization", &bearer)];
    let many: [(&str, &str); 1] = [("Cookie", &many_cookies)];
    for (what, headers) in [
        ("thousands of cookies", &many[..]),
        ("two Authorization headers", &two_tokens[..]),
        ("a cookie and a bearer token", &cookie_and_bearer[..]),
    ] {
        let reply = api.get_with(LIST_PATH, headers);
        assert_eq!(reply.status, 400, "{what}: {}", reply.body);
        assert!(reply.detail().contains("exactly one credential"), "{what}");
    }
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &good)]).status, 200);
}

#[test]
fn a_refused_token_names_the_scheme_to_use() {
    let server = TestServer::start();
    let api = Api::new(&server);
    for headers in [
        &[][..],
        &[("Authorization", "Bearer sss_wrongwrongwrongwrong")][..],
    ] {
        let reply = api.get_with(LIST_PATH, headers);
        assert_eq!(reply.status, 401);
        assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");
        reply.detail();
    }
}

#[test]
fn the_gateway_forwards_only_the_contracts_endpoints() {
    let upstream = TestServer::start();
    let gateway = TestServer::gateway_to(&upstream, ServerOptions::default());
    for path in [
        "/api/../../admin/secret",
        "/api/%2e%2e/%2e%2e/admin/secret",
        "/api/v2/organization_invitations/../../../admin/secret",
        "/api/v2/organization_invitations/%2E%2E/%2E%2E/admin",
        "/api/v2/anything/else",
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            gateway.token
        );
        let answer = raw_http(&gateway, request.as_bytes(), Duration::from_secs(10));
        assert_eq!(raw_status(&answer), 404, "{path}: {answer}");
        assert!(answer.contains("No such API endpoint"), "{path}: {answer}");
    }
    let through = Api::new(&gateway);
    for method in ["PUT", "DELETE", "PATCH"] {
        let bearer = format!("Bearer {}", gateway.token);
        let reply = through.request(method, LIST_PATH, &[("Authorization", &bearer)]);
        assert_eq!(reply.status, 405, "{method}");
        reply.detail();
    }
    let log = upstream.log();
    assert!(
        !log.contains("admin"),
        "nothing reached the upstream:\n{log}"
    );
    assert!(
        !log.contains("anything"),
        "nothing reached the upstream:\n{log}"
    );
    assert!(!log.contains("PUT") && !log.contains("DELETE"), "{log}");
    // The contract's own endpoints still pass.
    assert_eq!(through.get(LIST_PATH).status, 200);
}

#[test]
fn the_gateway_shows_no_upstream_credentials_or_queries_in_its_output() {
    let options = ServerOptions {
        extra_args: vec![
            "--upstream".into(),
            "http://svc:s3cretpass@127.0.0.1:1/base".into(),
        ],
        envs: vec![(
            "ORG_INVITATIONS_UPSTREAM_TOKEN".into(),
            "sss_upstream_token_for_tests".into(),
        )],
        ..Default::default()
    };
    let gateway = TestServer::start_with(options);
    assert_eq!(gateway.serving, "Gateway to http://***@127.0.0.1:1/base");
    let reply = Api::new(&gateway).get(&format!("{LIST_PATH}?email=secret.person%40example.com"));
    assert_eq!(reply.status, 502);
    let log = gateway.log();
    assert!(log.contains("upstream request failed"), "{log}");
    for secret in ["s3cretpass", "secret.person", "svc:"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[test]
fn the_gateway_refuses_an_upstream_answer_too_large_to_hold() {
    // A real static web server as the upstream, whose userinfo is 20 MiB.
    let site = tempfile::tempdir().unwrap();
    let dir = site.path().join("api/v2/userinfo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), vec![b'x'; 20 * 1024 * 1024]).unwrap();
    let upstream = StaticSite::serve(site.path());
    let options = ServerOptions {
        extra_args: vec!["--upstream".into(), upstream.base_url.clone()],
        envs: vec![(
            "ORG_INVITATIONS_UPSTREAM_TOKEN".into(),
            "sss_upstream_token_for_tests".into(),
        )],
        ..Default::default()
    };
    let gateway = TestServer::start_with(options);
    let reply = Api::new(&gateway).get("/api/v2/userinfo/");
    assert_eq!(
        reply.status,
        502,
        "{}",
        &reply.body[..reply.body.len().min(200)]
    );
    assert!(reply.detail().contains("more than 16 MiB"));
}

/// `python3 -m http.server` on a free loopback port, stopped when dropped.
struct StaticSite {
    child: std::process::Child,
    base_url: String,
}

impl StaticSite {
    fn serve(dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 serves static files");
        let base_url = format!("http://127.0.0.1:{port}");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "http.server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, base_url }
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_with(args: &[&str]) -> TestServer {
    TestServer::start_with(ServerOptions {
        extra_args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        ..Default::default()
    })
}

/// A connection that sends part of a request and then nothing; `closed` tells whether the
/// server hung up on it within `within`.
struct Dawdler(std::net::TcpStream);

impl Dawdler {
    fn open(server: &TestServer, start: &[u8]) -> Self {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        stream.write_all(start).unwrap();
        Self(stream)
    }

    /// Reads until the server closes the connection; false if it is still open after `within`.
    fn closed_within(&mut self, within: Duration) -> (bool, String) {
        use std::io::Read;
        self.0.set_read_timeout(Some(within)).unwrap();
        let mut answer = Vec::new();
        let closed = self.0.read_to_end(&mut answer).is_ok();
        (closed, String::from_utf8_lossy(&answer).into_owned())
    }
}

#[test]
fn clients_that_never_finish_their_headers_or_stay_idle_are_closed() {
    let server = server_with(&["--header-timeout", "1"]);
    let mut dawdlers: Vec<Dawdler> = (0..50)
        .map(|_| Dawdler::open(&server, b"GET /api/v2/userinfo/ HTTP/1.1\r\nHost: x\r\n"))
        .collect();
    // Served meanwhile.
    assert_eq!(Api::new(&server).get(LIST_PATH).status, 200);
    for dawdler in &mut dawdlers {
        let (closed, _) = dawdler.closed_within(Duration::from_secs(10));
        assert!(closed, "a connection without complete headers was held");
    }
    // A kept-alive connection that goes quiet after one request is closed too.
    let request = format!(
        "GET /api/v2/userinfo/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        server.token
    );
    let mut idle = Dawdler::open(&server, request.as_bytes());
    let (closed, answer) = idle.closed_within(Duration::from_secs(10));
    assert!(closed, "an idle keep-alive connection was held");
    assert_eq!(raw_status(&answer), 200, "{answer}");
}

#[test]
fn a_body_that_trickles_in_is_cut_off_and_a_huge_declared_one_refused_at_once() {
    let server = server_with(&["--body-timeout", "1"]);
    let start = format!(
        "POST {BATCH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[",
        server.token
    );
    let mut trickle = Dawdler::open(&server, start.as_bytes());
    let (closed, answer) = trickle.closed_within(Duration::from_secs(10));
    assert_eq!(raw_status(&answer), 408, "{answer}");
    assert!(
        answer.contains("did not arrive within 1 seconds"),
        "{answer}"
    );
    assert!(closed);

    // 10 GB declared: refused before a byte of it is read.
    let start = format!(
        "POST {BATCH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n",
        server.token
    );
    let mut huge = Dawdler::open(&server, start.as_bytes());
    let (_, answer) = huge.closed_within(Duration::from_secs(10));
    assert_eq!(raw_status(&answer), 413, "{answer}");
    assert!(answer.contains("\"detail\""), "{answer}");
}

#[test]
fn connections_over_the_cap_wait_and_the_wait_is_logged() {
    let server = server_with(&["--max-connections", "3", "--header-timeout", "2"]);
    let _held: Vec<Dawdler> = (0..3)
        .map(|_| Dawdler::open(&server, b"GET / HTTP/1.1\r\n"))
        .collect();
    // Answered once a held connection times out and frees its place.
    assert_eq!(Api::new(&server).get(LIST_PATH).status, 200);
    assert!(
        server.log().contains("connection limit reached"),
        "{}",
        server.log()
    );
}

#[test]
fn sigterm_with_a_slow_client_connected_still_exits() {
    let mut server = server_with(&[]);
    let start = format!(
        "POST {BATCH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[",
        server.token
    );
    let _slow = Dawdler::open(&server, start.as_bytes());
    // Let the server take the request up before it is told to stop.
    assert_eq!(Api::new(&server).get(LIST_PATH).status, 200);
    let took = server.terminate(Duration::from_secs(15));
    assert!(
        took.is_some_and(|took| took < Duration::from_secs(10)),
        "{took:?}"
    );
}

#[test]
fn every_api_answer_has_the_error_body_even_for_broken_requests() {
    let server = TestServer::start();
    let bearer = format!("Authorization: Bearer {}\r\n", server.token);
    let raw = |target: &str, extra: &str| {
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: x\r\n{bearer}{extra}Connection: close\r\n\r\n");
        raw_http(&server, request.as_bytes(), Duration::from_secs(10))
    };
    let long_target = format!("{LIST_PATH}?email={}", "a".repeat(20_000));
    let long_header = format!("X-Filler: {}\r\n", "b".repeat(100_000));
    for (what, answer, status) in [
        (
            "bytes that are not UTF-8 in an id",
            raw(&format!("{LIST_PATH}%FF%FE"), ""),
            400,
        ),
        ("the API's root", raw("/api/", ""), 404),
        ("the API's root without a slash", raw("/api", ""), 404),
        ("a target of 20 KB", raw(&long_target, ""), 414),
        ("headers of 100 KB", raw(LIST_PATH, &long_header), 431),
    ] {
        assert_eq!(raw_status(&answer), status, "{what}: {answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let json: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: not JSON: {answer}"));
        assert!(json["error"]["detail"].is_string(), "{what}: {json}");
        if status != 431 && status != 414 {
            assert!(
                answer.to_lowercase().contains("cache-control: no-store"),
                "{what}: {answer}"
            );
        }
    }
    let twice = format!("/?token={0}&token={0}", server.token);
    let reply = Api::new(&server).get_with(&twice, &[]);
    assert_eq!(reply.status, 400);
    assert!(reply.detail().contains("more than one token"));
}

#[test]
fn the_sign_in_link_works_on_index_html_too() {
    let server = TestServer::start();
    let api = Api::new(&server);
    for path in ["/", "/index.html"] {
        let reply = api.get_with(&format!("{path}?token={}", server.token), &[]);
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(reply.headers.get("location").unwrap(), "/");
        assert!(reply.headers.get("set-cookie").is_some(), "{path}");
    }
}

#[test]
fn a_token_the_operator_gave_is_not_printed_back_and_a_generated_one_says_where_it_is_kept() {
    let chosen = "sss_chosen_by_the_operator_123";
    let given = server_with(&["--token", chosen]);
    assert!(
        given.printed.iter().all(|line| !line.contains(chosen)),
        "{:?}",
        given.printed
    );
    assert!(given.printed.last().unwrap().contains("--token"));
    assert_eq!(
        Api::new(&given).get(LIST_PATH).status,
        200,
        "the given token works"
    );

    let generated = TestServer::start();
    let kept_in = generated.data_dir.join("token");
    assert!(
        generated
            .printed
            .iter()
            .any(|line| line.contains(&generated.token))
    );
    assert_eq!(
        std::fs::read_to_string(&kept_in).unwrap().trim(),
        generated.token
    );
}

#[test]
fn loose_permissions_on_existing_data_are_tightened_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let options = ServerOptions {
        data_dir: Some(data.clone()),
        ..Default::default()
    };
    drop(TestServer::start_with(options.clone()));
    let set = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(&data, 0o777);
    set(&data.join("invitations.sqlite3"), 0o666);
    set(&data.join("token"), 0o644);
    let server = TestServer::start_with(options);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("invitations.sqlite3")), 0o600);
    assert_eq!(mode(&data.join("token")), 0o600);
    assert!(
        server.log().contains("permissions tightened"),
        "{}",
        server.log()
    );
}

#[test]
fn invisible_and_look_alike_addresses_cannot_pose_as_others() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let results = api.invite(&[
        "ze\u{200b}ro@example.com",
        "ow\u{202e}ner@example.com",
        "\u{212a}elvin@example.com",
        "kelvin@example.com",
        "a@bücher.example",
        "A@xn--bcher-kva.example",
    ]);
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [422, 422, 200, 409, 200, 409], "{results:?}");
    assert!(
        results[0]["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("invisible character (U+200B)"),
        "{results:?}"
    );
    // The Kelvin sign is stored as the letter it stands for: the address is the plain one.
    assert!(listed(&api).contains(&"Kelvin@example.com".to_owned()));
    // Past the owner check no longer: an invisible character is refused before it.
    let owner = api.invite(&["owner\u{200b}@example.com"]);
    assert_eq!(owner[0]["status"], 422);
}

/// Signs in through the sign-in link; returns the `name=value` of the session cookie set.
fn sign_in(api: &Api, headers: &[(&str, &str)]) -> (String, String) {
    let server = api.server;
    let reply = api.get_with(&format!("/?token={}", server.token), headers);
    assert_eq!(reply.status, 303, "{}", reply.body);
    let set_cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    (pair, set_cookie)
}

#[test]
fn signing_in_starts_a_session_of_its_own_and_signing_out_ends_it() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let (session, set_cookie) = sign_in(&api, &[]);
    assert!(
        !set_cookie.contains(&server.token),
        "the token is never a cookie: {set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &session)]).status, 200);
    // Another browser's session stays when this one signs out.
    let (other, _) = sign_in(&api, &[]);
    assert_ne!(session, other);

    let own_origin = server.base_url.clone();
    let out = api.send(
        "POST",
        "/api/console/sign-out",
        &[("Cookie", &session), ("Origin", &own_origin)],
        "",
    );
    assert_eq!(out.status, 200, "{}", out.body);
    let cleared: Vec<&str> = out
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|cookie| cookie.starts_with("oi_session=;") && cookie.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &session)]).status, 401);
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &other)]).status, 200);
    // Signing out is a change: another site cannot sign a browser out either.
    let forced = api.send(
        "POST",
        "/api/console/sign-out",
        &[("Cookie", &other), ("Origin", "https://evil.example")],
        "",
    );
    assert_eq!(forced.status, 403);
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &other)]).status, 200);
}

#[test]
fn behind_an_https_proxy_the_session_cookie_is_host_only_and_secure() {
    let server = TestServer::start();
    let api = Api::new(&server);
    let (session, set_cookie) = sign_in(&api, &[("X-Forwarded-Proto", "https")]);
    assert!(
        session.starts_with("__Host-oi_session=ses_"),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("; Secure") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    assert_eq!(api.get_with(LIST_PATH, &[("Cookie", &session)]).status, 200);
}

#[test]
fn a_session_survives_a_restart_and_works_through_a_gateway() {
    let root = tempfile::tempdir().unwrap();
    let options = ServerOptions {
        data_dir: Some(root.path().join("data")),
        ..Default::default()
    };
    let server = TestServer::start_with(options.clone());
    let (session, _) = sign_in(&Api::new(&server), &[]);
    drop(server);
    let again = TestServer::start_with(options);
    assert_eq!(
        Api::new(&again)
            .get_with(LIST_PATH, &[("Cookie", &session)])
            .status,
        200
    );

    let gateway = TestServer::gateway_to(&again, ServerOptions::default());
    let through = Api::new(&gateway);
    let (gateway_session, _) = sign_in(&through, &[]);
    assert_eq!(
        through
            .get_with(LIST_PATH, &[("Cookie", &gateway_session)])
            .status,
        200
    );
    assert_eq!(
        through.get_with(LIST_PATH, &[("Cookie", &session)]).status,
        401,
        "the upstream's session means nothing to the gateway"
    );
}
